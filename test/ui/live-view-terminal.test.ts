/**
 * The real binary in a pseudo-terminal (tmux): the live view opens on a terminal, keys reach it,
 * and quitting prints the summary table. Reproduces what a person sees running the quick start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureActivityFile } from '../../bench/activity-file.js';
import { ROOT } from '../cli/run-sw.js';

const SOCKET = `sw-test-${process.pid}`;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

async function screenUntil(pattern: RegExp, timeoutMs = 30_000, ...flags: string[]): Promise<string> {
  return paneUntil('sw', pattern, timeoutMs, ...flags);
}

async function paneUntil(pane: string, pattern: RegExp, timeoutMs = 30_000, ...flags: string[]): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux('capture-pane', '-p', ...flags, '-S', '-100', '-t', pane);
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

test('every key on the built binary: → releases one record while paused, + and − change the speed, tab switches panels, / filters, s sorts', async () => {
  const command = `cd ${ROOT} && env -u CI node bin/sw replay test/fixtures/live.jsonl --pipeline test/fixtures/live.pipeline.yaml --speed 20x; echo EXIT=$?; sleep 60`;
  tmux('new-session', '-d', '-s', 'keys', '-x', '120', '-y', '40', command);
  const until = (pattern: RegExp) => paneUntil('keys', pattern);
  const records = (screen: string) => Number(/records (\d+)/.exec(screen)?.[1]);
  try {
    await until(/1 pages \([1-9]\d*\)/);
    tmux('send-keys', '-t', 'keys', ' ');
    await until(/⏸ paused 20x/);
    // A record released before the pause may still be drawn: wait for two equal screens.
    let before = -1;
    for (let same = records(await until(/records \d+/)); same !== before; ) {
      before = same;
      await new Promise((resolve) => setTimeout(resolve, 500));
      same = records(await until(/records \d+/));
    }
    tmux('send-keys', '-t', 'keys', 'Right');
    await until(new RegExp(`records ${before + 1}\\b`));
    tmux('send-keys', '-t', 'keys', '+');
    await until(/⏸ paused 50x/);
    tmux('send-keys', '-t', 'keys', '-');
    tmux('send-keys', '-t', 'keys', '-');
    await until(/⏸ paused 10x/);
    tmux('send-keys', '-t', 'keys', 'Tab');
    await until(/streaks \(pattern\)[\s\S]*match +u\d/);
    tmux('send-keys', '-t', 'keys', 'Tab');
    await until(/pages \(window\)[\s\S]*sorted by views/);
    tmux('send-keys', '-t', 'keys', 's');
    await until(/users▼[\s\S]*sorted by users/);
    tmux('send-keys', '-t', 'keys', '/');
    await until(/filter by key: ▏/);
    tmux('send-keys', '-t', 'keys', 'ca', 'Enter');
    const filtered = await until(/sorted by users · filter "ca"/);
    // A row changed in the last frames carries the ● marker before its key.
    assert.match(filtered, /│ [ ●] cart /);
    assert.doesNotMatch(filtered, /│ [ ●] (home|item|search) /);
    tmux('send-keys', '-t', 'keys', 'q');
    await until(/EXIT=0/);
  } finally {
    tmux('kill-session', '-t', 'keys');
  }
});

test('to the end on an 80-column terminal: the last frame, then the summary table at 80 columns; --no-ui and CI=true keep the view closed', async () => {
  const replay = 'node bin/sw replay test/fixtures/live.jsonl --pipeline test/fixtures/live.pipeline.yaml --speed max';
  tmux('new-session', '-d', '-s', 'end', '-x', '80', '-y', '40', `cd ${ROOT} && env -u CI ${replay}; echo EXIT=$?; sleep 60`);
  tmux('new-session', '-d', '-s', 'noui', '-x', '80', '-y', '40', `cd ${ROOT} && env -u CI ${replay} --no-ui --out /dev/null; echo EXIT=$?; sleep 60`);
  tmux('new-session', '-d', '-s', 'ci', '-x', '80', '-y', '40', `cd ${ROOT} && CI=true ${replay} --out /dev/null; echo EXIT=$?; sleep 60`);
  try {
    const end = await paneUntil('end', /EXIT=0/);
    assert.match(end, /■ done/);
    // Short headers and numbers; kind goes too when a fast run's events/s need the room.
    assert.match(end, /│ step +(│ kind +)?│ +in │ passed │ results │ matches │ late │ dead │ +ev\/s │/);
    assert.match(end, /│ pages +(│ window +)?│ 3000 │ +3000 │ +600 │ +— │/);
    assert.match(end, /│ all +(│ run +)?│ 3000 │/);
    assert.match(end, /3,000 records in [\d.]+s · 1,345 output records/);
    assert.doesNotMatch(end, /stopped early/);
    for (const line of end.split('\n')) assert.ok([...line].length <= 80, line);
    for (const pane of ['noui', 'ci']) {
      const screen = await paneUntil(pane, /EXIT=0/);
      assert.match(screen, /^sw replay test\/fixtures\/live\.jsonl: 3,000 records in/m, pane);
      assert.doesNotMatch(screen, /[╭┌]|space pause/, pane);
    }
  } finally {
    for (const pane of ['end', 'noui', 'ci']) tmux('kill-session', '-t', pane);
  }
});

test('SIGTERM and SIGHUP while the view is open leave the terminal on the normal screen with the cursor shown', async () => {
  for (const [signal, status] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    const pane = `kill-${signal}`;
    // The shell stays (a dead pane always reports a hidden cursor); sw is its only child.
    const command = `cd ${ROOT} && env -u CI node bin/sw replay test/fixtures/live.jsonl --pipeline test/fixtures/live.pipeline.yaml --speed 20x; echo EXIT=$?; sleep 60`;
    tmux('new-session', '-d', '-s', pane, '-x', '110', '-y', '32', command);
    try {
      await paneUntil(pane, /▶ playing 20x/);
      const state = () => tmux('display-message', '-p', '-t', pane, '#{alternate_on} #{cursor_flag}').trim();
      assert.equal(state(), '1 0');
      const shell = tmux('display-message', '-p', '-t', pane, '#{pane_pid}').trim();
      const sw = Number(execFileSync('ps', ['-o', 'pid=', '--ppid', shell], { encoding: 'utf8' }).trim());
      process.kill(sw, signal);
      await paneUntil(pane, new RegExp(`EXIT=${status}`), 10_000);
      assert.equal(state(), '0 1');
    } finally {
      tmux('kill-session', '-t', pane);
    }
  }
});

test('a live run writes the same output records as a headless one (--out byte for byte): a window step over thousands of keys, a pattern step', async () => {
  // user-minutes: a 1-minute count per user over a generated activity recording (thousands of
  // keys, the live view's table at its largest); binge: the pattern scenario.
  const dir = mkdtempSync(join(tmpdir(), 'sw-live-out-'));
  const activity = ensureActivityFile(dir, '40k', 40_000).path;
  const runs = [
    { name: 'minutes', recording: activity, pipeline: join(ROOT, 'bench', 'pipelines', 'user-minutes.pipeline.yaml') },
    { name: 'binge', recording: join(ROOT, 'scenarios', 'binge.jsonl'), pipeline: join(ROOT, 'scenarios', 'binge.pipeline.yaml') },
  ];
  try {
    for (const { name, recording, pipeline } of runs) {
      const live = join(dir, `${name}.live.jsonl`);
      const headless = join(dir, `${name}.headless.jsonl`);
      const replay = `node bin/sw replay ${recording} --pipeline ${pipeline} --speed max`;
      tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '40', `cd ${ROOT} && env -u CI ${replay} --out ${live}; echo EXIT=$?; sleep 60`);
      try {
        // The view was open: its last frame and the summary table.
        assert.match(await paneUntil(name, /EXIT=0/), /■ done[\s\S]*│ step /);
      } finally {
        tmux('kill-session', '-t', name);
      }
      // Not a terminal: headless.
      execFileSync(process.execPath, ['bin/sw', 'replay', recording, '--pipeline', pipeline, '--speed', 'max', '--out', headless], { cwd: ROOT, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
      const liveBytes = readFileSync(live);
      assert.ok(liveBytes.length > 0, name);
      assert.equal(sha256(liveBytes), sha256(readFileSync(headless)), `${name}: the live run's --out differs from the headless run's`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
