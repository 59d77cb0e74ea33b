import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameStream, ScreenWriter } from '../../src/ui/screen-writer.js';
import { FrameOverlay, marks } from '../../src/ui/frame-overlay.js';
import { VirtualTerminal } from './virtual-terminal.js';

const FRAME = ['╭────────╮', '│ header │', '╰────────╯', 'row a  1', 'row b  2', 'help'].join('\n');

function started(columns = 20, rows = 8) {
  const terminal = new VirtualTerminal(columns, rows);
  const writer = new ScreenWriter(terminal);
  writer.start();
  writer.draw(FRAME);
  return { terminal, writer, mark: terminal.writes.length };
}

/** Cursor moves to a row (ESC[r;1H) in the bytes written since `from`: the rows rewritten. */
function rowsRewritten(terminal: VirtualTerminal, from: number): number[] {
  return [...terminal.writes.slice(from).join('').matchAll(/\u001B\[(\d+);1H/g)].map((m) => Number(m[1]));
}

const CASES: Array<{ title: string; next: string; rows: number[]; screen: string; bytes?: number }> = [
  { title: 'an unchanged frame writes nothing', next: FRAME, rows: [], screen: FRAME, bytes: 0 },
  {
    title: 'a one-line change rewrites that line only',
    next: FRAME.replace('row b  2', 'row b  3'),
    rows: [5],
    screen: FRAME.replace('row b  2', 'row b  3'),
  },
  {
    title: 'a shorter line leaves nothing of the longer one behind',
    next: FRAME.replace('row a  1', 'row'),
    rows: [4],
    screen: FRAME.replace('row a  1', 'row'),
  },
  {
    title: 'a frame with fewer rows erases the rows below it',
    next: FRAME.split('\n').slice(0, 3).join('\n'),
    rows: [4],
    screen: FRAME.split('\n').slice(0, 3).join('\n'),
  },
  {
    title: 'a frame taller than the screen is cut at its last row, never scrolled',
    next: `${FRAME}\nx1\nx2\nx3\nx4`,
    rows: [7, 8],
    screen: `${FRAME}\nx1\nx2`,
  },
];

for (const { title, next, rows, screen, bytes } of CASES) {
  test(`screen writer: ${title}`, () => {
    const { terminal, writer, mark } = started();
    assert.equal(terminal.screen(), FRAME);
    writer.draw(next);
    assert.deepEqual(rowsRewritten(terminal, mark), rows);
    assert.equal(terminal.screen(), screen);
    if (bytes !== undefined) assert.equal(terminal.bytesSince(mark), bytes);
  });
}

test('screen writer: a one-line change costs the bytes of that line, not of the frame', () => {
  const { terminal, writer, mark } = started();
  writer.draw(FRAME.replace('row b  2', 'row b  3'));
  const written = terminal.bytesSince(mark);
  assert.ok(written < Buffer.byteLength('row b  3') + 40, `${written} bytes for one changed line`);
  assert.ok(written < Buffer.byteLength(FRAME) / 2);
});

test('screen writer: start takes the alternate screen and hides the cursor; finish gives both back and leaves the last frame', () => {
  const { terminal, writer } = started();
  assert.equal(terminal.alternateScreen, true);
  assert.equal(terminal.cursorHidden, true);
  writer.finish();
  assert.equal(terminal.alternateScreen, false);
  assert.equal(terminal.cursorHidden, false);
  assert.ok(terminal.writes.at(-1)!.endsWith(`${FRAME}\n`));
});

test('frame stream: a resize clears once and paints only the frame laid out at the new size', async () => {
  const terminal = new VirtualTerminal(20, 8);
  const writer = new ScreenWriter(terminal);
  const stream = new FrameStream(terminal, writer);
  writer.start();
  stream.write(FRAME);
  // What ink and the app do on 'resize': a frame at the old layout, then one at the new size.
  stream.on('resize', () => {
    stream.write(FRAME);
    stream.write('narrow\nframe');
  });
  const mark = terminal.writes.length;
  terminal.resize(10, 4);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(terminal.screen(), 'narrow\nframe');
  assert.deepEqual(terminal.overflows, []);
  assert.deepEqual(rowsRewritten(terminal, mark), [1, 2]);
  assert.equal(stream.columns, 10);
  assert.equal(stream.rows, 4);
  stream.detach();
});

test('frame stream: ink\'s cursor show, unmount barrier and CI-mode unmount newline are not frames', () => {
  const terminal = new VirtualTerminal(20, 8);
  const writer = new ScreenWriter(terminal);
  const stream = new FrameStream(terminal, writer);
  writer.start();
  stream.write(FRAME);
  const mark = terminal.writes.length;
  stream.write('\u001B[?25h');
  stream.write('');
  stream.write('\n'); // ink's unmount under CI=true (its last output is empty in debug mode)
  assert.equal(terminal.writes.length, mark);
  assert.equal(terminal.screen(), FRAME);
});

test('frame stream: once the frames are closed (ink unmounted after `q`), redraw composes nothing', () => {
  const terminal = new VirtualTerminal(20, 8);
  const writer = new ScreenWriter(terminal);
  const overlay = new FrameOverlay();
  const stream = new FrameStream(terminal, writer, undefined, overlay);
  writer.start();
  overlay.set('body', ['row a  1']);
  stream.write(`header\n${marks('body', 1)}${' '.repeat(9)}\nhelp`);
  assert.equal(terminal.screen(), 'header\nrow a  1\nhelp');
  overlay.set('body', ['row a  2']);
  assert.equal(stream.canRedraw, true);
  stream.redraw();
  assert.equal(terminal.screen(), 'header\nrow a  2\nhelp');
  stream.close();
  const mark = terminal.writes.length;
  overlay.set('body', ['row a  3']);
  assert.equal(stream.canRedraw, false);
  stream.redraw();
  assert.equal(terminal.writes.length, mark, 'nothing may be written once the frames are closed');
  assert.equal(terminal.screen(), 'header\nrow a  2\nhelp');
});
