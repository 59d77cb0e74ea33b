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

async function screenUntil(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux('capture-pane', '-p', '-S', '-100', '-t', 'sw');
    if (pattern.test(screen)) return screen;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`screen never matched ${pattern}:\n${screen}`);
}

test('sw replay on a terminal opens the live view; space pauses, 2 switches panel, q quits with a summary table', async () => {
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
    tmux('send-keys', '-t', 'sw', '2');
    screen = await screenUntil(/streaks \(pattern\)/);
    tmux('send-keys', '-t', 'sw', 'q');
    screen = await screenUntil(/EXIT=0/);
    assert.match(screen, /│ step +│ kind +│ records in/);
    assert.match(screen, /│ pages +│ window/);
    assert.match(screen, /stopped early/);
  } finally {
    tmux('kill-server');
  }
});
