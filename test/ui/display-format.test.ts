/**
 * fit(): a table cell of exactly `width` terminal columns, as ink measures text (wide characters
 * two columns, combining marks none), so a key in Japanese or with accents keeps the columns after
 * it aligned; wrapRow(): the header's fields and the tabs wrap by the same measure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnsOf, fit, wrapRow } from '../../src/ui/display-format.js';

const columns = (text: string) => [...text].reduce((sum, char) => sum + columnsOf(char.codePointAt(0)!), 0);

const cases: Array<[title: string, text: string, width: number, expected: string]> = [
  ['ascii padded', 'u12', 6, 'u12   '],
  ['ascii cut with an ellipsis', 'user-123456', 6, 'user-…'],
  ['wide characters padded by columns', '東京', 6, '東京  '],
  ['wide characters cut by columns', '東京都渋谷区', 6, '東京 …'],
  ['a wide character that does not fit before the ellipsis leaves a blank', 'a東京都', 5, 'a東 …'],
  ['a combining mark takes no column', 'ke\u0301y', 5, 'ke\u0301y  '],
  ['zero width', 'abc', 0, ''],
];

for (const [title, text, width, expected] of cases) {
  test(`fit: ${title}`, () => {
    const got = fit(text, width);
    assert.equal(got, expected);
    assert.equal(columns(got), width);
  });
}

test('columnsOf: ASCII and Latin 1, CJK, an emoji, marks and format characters', () => {
  assert.deepEqual(['a', 'é', '東', 'ｱ', '😀', '\u0301', '\u200D'].map((c) => columnsOf(c.codePointAt(0)!)), [1, 1, 2, 1, 2, 0, 0]);
});

test('wrapRow: items wrap greedily by terminal columns, wide characters two; an item wider than the room takes its own line', () => {
  const items = ['東京 3', 'ab', 'x'.repeat(12), 'k'].map((text) => ({ text, styled: `<${text}>` }));
  // 東京 3 takes 6 columns (4 code points): with the gap and `ab`, 10 columns.
  assert.deepEqual(wrapRow(items, 10, 2), ['<東京 3>  <ab>', `<${'x'.repeat(12)}>`, '<k>']);
  assert.deepEqual(wrapRow(items, 9, 2), ['<東京 3>', '<ab>', `<${'x'.repeat(12)}>`, '<k>']);
  assert.deepEqual(wrapRow([], 10, 2), []);
});
