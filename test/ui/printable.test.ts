import assert from 'node:assert/strict';
import test from 'node:test';
import { formatValue, printable } from '../../src/ui/display-format.js';
import { keyText } from '../../src/ui/live-state.js';

// A record's text reaches the screen through these: an escape sequence in a key must not clear the
// screen, a newline must not break a table row, and an overlay marker must not be taken for one.
const cases: [string, string, string][] = [
  ['plain text is unchanged', 'user-42 東京', 'user-42 東京'],
  ['an escape sequence is shown escaped', 'a\u001b[2Jb', 'a\\u001b[2Jb'],
  ['a newline and a tab', 'a\nb\tc', 'a\\nb\\tc'],
  ['DEL and a C1 control', 'a\u007fb\u009bc', 'a\\u007fb\\u009bc'],
  ['the overlay markers become U+FFFD', 'a\ue000b\ue004c\ue005', 'a\ufffdb\ufffdc\ue005'],
];

for (const [name, input, expected] of cases) {
  test(`printable: ${name}`, () => {
    assert.equal(printable(input), expected);
    assert.equal(keyText(input), expected);
    assert.equal(formatValue(input, 100), expected);
  });
}

test('printable: a non-string key and value are escaped after JSON', () => {
  assert.equal(keyText({ k: 'x\u001by' }), '{"k":"x\\u001by"}');
  assert.equal(keyText(['\u009b']), '["\\u009b"]');
  assert.equal(formatValue({ v: '\ue001' }, 100), '{"v":"\ufffd"}');
});
