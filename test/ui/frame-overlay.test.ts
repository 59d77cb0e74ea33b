/**
 * The view's changing lines past ink (frame-overlay.ts): the lines replace the markers ink drew,
 * within the columns ink left blank, and the border stays where it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameOverlay, marks } from '../../src/ui/frame-overlay.js';

const BODY_MARK = marks('body', 1);

const GRAY = (text: string) => `\u001B[90m${text}\u001B[39m`;
/** A panel row as ink draws it: border, padding, the marker, blanks to the inner width, padding, border. */
const panelRow = (inner: number, mark = true) => `${GRAY('│')} ${mark ? BODY_MARK + ' '.repeat(inner - 1) : ' '.repeat(inner)} ${GRAY('│')}`;
const plain = (text: string) => text.replace(/\u001B\[[\d;]*m/g, '');

test('frame overlay: each marker becomes its row, the right border stays in its column', () => {
  const overlay = new FrameOverlay();
  overlay.set('body', ['\u001B[93m● c1    00:00:00–00:01:00  5\u001B[39m', '  c2    00:00:00–00:01:00  3']);
  const frame = [GRAY('╭──────────────────────────────────────╮'), panelRow(36), panelRow(36), panelRow(36, false)].join('\n');
  const rows = overlay.compose(frame).split('\n');
  assert.equal(plain(rows[1]!), `│ ${'● c1    00:00:00–00:01:00  5'.padEnd(36)} │`);
  assert.equal(plain(rows[2]!), `│ ${'  c2    00:00:00–00:01:00  3'.padEnd(36)} │`);
  assert.equal(rows[3], panelRow(36, false));
  // Colours of the row kept.
  assert.match(rows[1]!, /\u001B\[93m● c1/);
});

test('frame overlay: a row wider than the panel is cut at its inner width, its colour closed', () => {
  const overlay = new FrameOverlay();
  overlay.set('body', [`\u001B[93m${'x'.repeat(50)}\u001B[39m`, '']);
  const rows = overlay.compose([panelRow(20), panelRow(20)].join('\n')).split('\n');
  assert.equal(plain(rows[0]!), `│ ${'x'.repeat(20)} │`);
  assert.match(rows[0]!, /x\u001B\[0m \u001B\[90m│/);
  // An empty row leaves the blank row as it was.
  assert.equal(plain(rows[1]!), `│ ${' '.repeat(20)} │`);
});

test('frame overlay: a frame without markers, or no rows, is left as it is', () => {
  const overlay = new FrameOverlay();
  const frame = [panelRow(10, false), 'help'].join('\n');
  assert.equal(overlay.compose(frame), frame);
  overlay.set('body', ['a']);
  assert.equal(overlay.compose(frame), frame);
});

test('frame overlay: wide characters take two columns, combining marks none; the right border stays in its column', () => {
  const overlay = new FrameOverlay();
  // 東 and 京 are wide (two columns each); the é is e and a combining accent (one column).
  overlay.set('body', ['東京x'.repeat(10), '東京x'.repeat(10), 'ke\u0301y 東京']);
  const rows = overlay.compose([panelRow(19), panelRow(18), panelRow(18)].join('\n')).split('\n');
  // 19 columns: 東京x three times (15) and 東京 (4).
  assert.equal(plain(rows[0]!), `│ ${'東京x'.repeat(3)}東京 │`);
  // 18 columns: 京 would take columns 18 and 19: left out, its one column left blank.
  assert.equal(plain(rows[1]!), `│ ${'東京x'.repeat(3)}東  │`);
  assert.equal(plain(rows[2]!), `│ ke\u0301y 東京${' '.repeat(10)} │`);
});

test('frame overlay: each region takes its own lines in order; a row without a border takes the region\'s width', () => {
  const overlay = new FrameOverlay();
  overlay.set('fields', ['event time 10:00', 'records 12']);
  overlay.set('body', ['c1', 'c2']);
  overlay.set('tabs', [`\u001B[7m 1 pages (4) \u001B[27m  2 streaks (21) `], 40);
  const [field, tabs, body] = [marks('fields', 2).split('\n'), marks('tabs', 1), marks('body', 2).split('\n')];
  const frame = [panelRow(20).replace(BODY_MARK, field[0]!), tabs, panelRow(20), panelRow(20).replace(BODY_MARK, field[1]!), panelRow(20).replace(BODY_MARK, body[1]!)].join('\n');
  const rows = overlay.compose(frame).split('\n').map(plain);
  assert.deepEqual(rows, [`│ ${'event time 10:00'.padEnd(20)} │`, ' 1 pages (4)   2 streaks (21) ', `│ ${'c1'.padEnd(20)} │`, `│ ${'records 12'.padEnd(20)} │`, `│ ${'c2'.padEnd(20)} │`]);
});
