import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runSw, FIXTURES } from './run-sw.js';

// A command-line mistake is one line on stderr naming the command, the mistake and where help
// is (cli-contract.md), not commander's two lines ("error: ..." and a help hint). Found in the
// end-to-end audit: every command but quality and design printed two lines.
const clicks = join(FIXTURES, 'clicks.jsonl');
const cases: ReadonlyArray<{ args: string[]; status: number; stderr: RegExp }> = [
  { args: ['replay', clicks, '--bogus'], status: 2, stderr: /^sw: replay: unknown option '--bogus'; see sw replay --help$/ },
  { args: ['replay'], status: 2, stderr: /^sw: replay: missing required argument 'recording'; see sw replay --help$/ },
  { args: ['replay', clicks, '--speed'], status: 2, stderr: /^sw: replay: option '-s, --speed <speed>' argument missing; see sw replay --help$/ },
  { args: ['savepoint', 'inspect', 'x', '--bogus'], status: 2, stderr: /^sw: savepoint inspect: unknown option '--bogus'; see sw savepoint inspect --help$/ },
  { args: ['synth', 'media', '--bogus'], status: 2, stderr: /^sw: synth: unknown option '--bogus'; see sw synth --help$/ },
  { args: ['record', 'kafka', '--topic', 't', '--out', 'x.db'], status: 2, stderr: /^sw: record kafka: required option '--brokers <list>' not specified; see sw record kafka --help$/ },
  { args: ['bogus'], status: 2, stderr: /^sw: unknown command 'bogus'; see sw --help$/ },
  { args: ['design', '--bogus'], status: 2, stderr: /^sw: design: unknown option '--bogus'; see sw design --help$/ },
  // quality keeps its own contract: 2 means "checks failed", so a usage mistake is 3.
  { args: ['quality', 'check', clicks, '--bogus'], status: 3, stderr: /^sw: quality check: unknown option '--bogus'; see sw quality check --help$/ },
];

for (const c of cases) {
  test(`sw ${c.args.filter((a) => a !== clicks).join(' ')} → one line, exit ${c.status}`, () => {
    const result = runSw(c.args);
    assert.equal(result.status, c.status, result.stderr);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, c.stderr);
  });
}

test('help and version still exit 0 on stdout', () => {
  for (const args of [['--help'], ['replay', '--help'], ['savepoint', 'inspect', '--help'], ['--version']]) {
    const result = runSw(args);
    assert.equal(result.status, 0, args.join(' '));
    assert.equal(result.stderr, '', args.join(' '));
    assert.notEqual(result.stdout, '', args.join(' '));
  }
});

test('a command group without its subcommand shows its help on stderr, exit 2', () => {
  const result = runSw(['savepoint']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /Usage: sw savepoint/);
  assert.doesNotMatch(result.stderr, /outputHelp/);
});
