import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSw } from './run-sw.js';

// "Every command has --help with examples" (cli-contract.md). The audit found the quality,
// pattern and export groups without any; this table keeps every command and subcommand honest.
const commands = [
  [], ['replay'], ['test'], ['synth'], ['design'],
  ['scenarios'], ['quality'], ['quality', 'check'], ['quality', 'profile'],
  ['pattern'], ['pattern', 'explain'], ['pattern', 'trace'],
  ['export'], ['export', 'flink-sql'],
  ['record'], ['record', 'kafka'], ['record', 'stdin'], ['record', 'file'],
  ['savepoint'], ['savepoint', 'create'], ['savepoint', 'list'], ['savepoint', 'inspect'],
];

for (const command of commands) {
  test(`sw ${command.join(' ')} --help: exit 0 with examples`, () => {
    const result = runSw([...command, '--help']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /\nExamples?:\n/);
    assert.match(result.stdout, /\n {2}\$ .*sw /);
  });
}
