/**
 * The window table's body past ink's output stage (body-overlay.ts): the rows replace the markers
 * ink drew, within the columns ink left blank, and the border stays where it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BODY_MARK, BodyOverlay } from '../../src/ui/body-overlay.js';

const GRAY = (text: string) => `\u001B[90m${text}\u001B[39m`;
/** A panel row as ink draws it: border, padding, the marker, blanks to the inner width, padding, border. */
const panelRow = (inner: number, mark = true) => `${GRAY('│')} ${mark ? BODY_MARK + ' '.repeat(inner - 1) : ' '.repeat(inner)} ${GRAY('│')}`;
const plain = (text: string) => text.replace(/\u001B\[[\d;]*m/g, '');

test('body overlay: each marker becomes its row, the right border stays in its column', () => {
  const overlay = new BodyOverlay();
  overlay.lines = ['\u001B[93m● c1    00:00:00–00:01:00  5\u001B[39m', '  c2    00:00:00–00:01:00  3'];
  const frame = [GRAY('╭──────────────────────────────────────╮'), panelRow(36), panelRow(36), panelRow(36, false)].join('\n');
  const rows = overlay.compose(frame).split('\n');
  assert.equal(plain(rows[1]!), `│ ${'● c1    00:00:00–00:01:00  5'.padEnd(36)} │`);
  assert.equal(plain(rows[2]!), `│ ${'  c2    00:00:00–00:01:00  3'.padEnd(36)} │`);
  assert.equal(rows[3], panelRow(36, false));
  // Colours of the row kept.
  assert.match(rows[1]!, /\u001B\[93m● c1/);
});

test('body overlay: a row wider than the panel is cut at its inner width, its colour closed', () => {
  const overlay = new BodyOverlay();
  overlay.lines = [`\u001B[93m${'x'.repeat(50)}\u001B[39m`, ''];
  const rows = overlay.compose([panelRow(20), panelRow(20)].join('\n')).split('\n');
  assert.equal(plain(rows[0]!), `│ ${'x'.repeat(20)} │`);
  assert.match(rows[0]!, /x\u001B\[0m \u001B\[90m│/);
  // An empty row leaves the blank row as it was.
  assert.equal(plain(rows[1]!), `│ ${' '.repeat(20)} │`);
});

test('body overlay: a frame without markers, or no rows, is left as it is', () => {
  const overlay = new BodyOverlay();
  const frame = [panelRow(10, false), 'help'].join('\n');
  assert.equal(overlay.compose(frame), frame);
  overlay.lines = ['a'];
  assert.equal(overlay.compose(frame), frame);
});

test('body overlay: wide characters take two columns, marks none; the right border stays in its column', () => {
  const overlay = new BodyOverlay();
  // 東 and 京 are wide (two columns each); the é is e and a combining accent (one column).
  overlay.lines = ['東京x'.repeat(10), '東京x'.repeat(10), 'ke\u0301y 東京'];
  const rows = overlay.compose([panelRow(19), panelRow(18), panelRow(18)].join('\n')).split('\n');
  // 19 columns: 東京x three times (15) and 東京 (4).
  assert.equal(plain(rows[0]!), `│ ${'東京x'.repeat(3)}東京 │`);
  // 18 columns: 京 would take columns 18 and 19: left out, its one column left blank.
  assert.equal(plain(rows[1]!), `│ ${'東京x'.repeat(3)}東  │`);
  assert.equal(plain(rows[2]!), `│ ke\u0301y 東京${' '.repeat(10)} │`);
});
