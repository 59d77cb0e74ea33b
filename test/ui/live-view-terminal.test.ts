/**
 * The real binary in a pseudo-terminal (tmux): the live view opens on a terminal, keys reach it,
 * and quitting prints the summary table. Reproduces what a person sees running the quick start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ROOT } from '../cli/run-sw.js';

const SOCKET = `sw-test-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

async function screenUntil(pattern: RegExp, timeoutMs = 30_000, ...flags: string[]): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux('capture-pane', '-p', ...flags, '-S', '-100', '-t', 'sw');
    if (pattern.test(screen)) return screen;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`screen never matched ${pattern}:\n${screen}`);
}

test('sw replay on a terminal opens the live view; no colour under NO_COLOR; space pauses, 2 switches panel, a resize leaves no stale line, q quits with a summary table', async () => {
  const pipeline = 'test/fixtures/live.pipeline.yaml';
  const recording = 'test/fixtures/live.jsonl';
  // A person's terminal: CI unset (under CI=true sw stays headless, and ink draws only a last frame).
  const command = `cd ${ROOT} && env -u CI NO_COLOR=1 node bin/sw replay ${recording} --pipeline ${pipeline} --speed 20x; echo EXIT=$?; sleep 60`;
  tmux('new-session', '-d', '-s', 'sw', '-x', '110', '-y', '32', command);
  try {
    let screen = await screenUntil(/▶ playing 20x/);
    assert.match(screen, /sw replay test\/fixtures\/live\.jsonl · pipeline test\/fixtures\/live\.pipeline\.yaml/);
    screen = await screenUntil(/1 pages \(\d+\)/);
    tmux('send-keys', '-t', 'sw', ' ');
    screen = await screenUntil(/⏸ paused 20x/);
    // NO_COLOR: the pane holds no colour (SGR 30-49, 90-107) and no inverse video.
    const styled = tmux('capture-pane', '-p', '-e', '-t', 'sw');
    assert.doesNotMatch(styled, /\u001B\[[\d;]*(3\d|4\d|9\d|10\d|7)m/);
    tmux('send-keys', '-t', 'sw', '2');
    screen = await screenUntil(/streaks \(pattern\)/);

    // Narrower and shorter: the view is laid out again at 80×24, once, with nothing left of the 110-column frame.
    tmux('resize-window', '-t', 'sw', '-x', '80', '-y', '24');
    screen = await screenUntil(/^╭─{78}╮$/m, 10_000, '-J');
    const lines = tmux('capture-pane', '-p', '-t', 'sw').split('\n');
    assert.ok(lines.every((line) => [...line].length <= 80), lines.join('\n'));
    assert.equal(lines.filter((line) => line.startsWith('╭')).length, 1, lines.join('\n'));
    assert.equal(lines.filter((line) => line.startsWith('space pause')).length, 1, lines.join('\n'));
    tmux('resize-window', '-t', 'sw', '-x', '110', '-y', '32');
    screen = await screenUntil(/^╭─{108}╮$/m, 10_000, '-J');

    tmux('send-keys', '-t', 'sw', 'q');
    screen = await screenUntil(/EXIT=0/);
    // The last frame stays on the normal screen, the summary table below it.
    assert.match(screen, /⏸ paused 20x[\s\S]*│ step +│ kind +│ records in +│ passed +│ results +│ matches +│ late +│ dead-letter +│ events\/s/);
    assert.match(screen, /│ pages +│ window/);
    assert.match(screen, /│ all +│ run /);
    assert.match(screen, /stopped early/);
  } finally {
    tmux('kill-server');
  }
});
