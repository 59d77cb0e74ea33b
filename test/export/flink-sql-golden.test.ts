/**
 * Golden scripts: every built-in scenario pipeline (scenarios/*.pipeline.*) and every engine golden
 * pipeline (test/golden/<case>/pipeline.yaml) exported with the default Kafka options, compared with
 * test/export/golden/<name>.sql, and parsed with dt-sql-parser's Flink grammar.
 * Regenerate deliberately after a reviewed change: npm run export:golden:update
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportFlinkSql } from '../../src/export/flink-script.js';
import { loadPipeline } from '../../src/spec/load.js';
import { loadFlinkGrammar, type FlinkGrammar } from './flink-grammar.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const GOLDEN = join(ROOT, 'test', 'export', 'golden');
const UPDATE = process.env.SW_UPDATE_EXPORT_GOLDEN === '1';

interface Case {
  readonly name: string;
  readonly pipeline: string;
}

function cases(): Case[] {
  const scenarios = readdirSync(join(ROOT, 'scenarios'))
    .filter((f) => /\.pipeline\.(ya?ml|json|ts|js)$/.test(f))
    .sort()
    .map((f) => ({ name: f.replace(/\.pipeline\.[a-z]+$/, ''), pipeline: join('scenarios', f) }));
  const goldens = readdirSync(join(ROOT, 'test', 'golden'))
    .filter((d) => existsSync(join(ROOT, 'test', 'golden', d, 'pipeline.yaml')))
    .sort()
    .map((d) => ({ name: `golden-${d}`, pipeline: join('test', 'golden', d, 'pipeline.yaml') }));
  return [...scenarios, ...goldens];
}

/** The script's statements, and the INSERTs inside its statement set, split at a `;` ending a line. */
function statements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n')
    .replace(/EXECUTE STATEMENT SET\nBEGIN|END;\n$/g, '');
  return withoutComments
    .split(/;\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

describe('sw export flink-sql golden scripts', () => {
  let grammar: FlinkGrammar;
  before(async () => {
    grammar = await loadFlinkGrammar();
  });

  it('covers every scenario pipeline', () => {
    const names = cases().map((c) => c.name);
    assert.ok(names.includes('binge') && names.includes('financial'), names.join(', '));
  });

  for (const c of cases()) {
    it(`${c.name} (${c.pipeline})`, async () => {
      const cwd = process.cwd();
      // Paths in the script's header are relative to the repository, whatever the test's cwd.
      process.chdir(ROOT);
      let sql: string;
      try {
        sql = exportFlinkSql(await loadPipeline(c.pipeline)).sql;
      } finally {
        process.chdir(cwd);
      }
      const file = join(GOLDEN, `${c.name}.sql`);
      if (UPDATE || !existsSync(file)) {
        if (!UPDATE) assert.fail(`${relative(ROOT, file)} is missing; write it with npm run export:golden:update and review it`);
        writeFileSync(file, sql);
      }
      assert.equal(sql, readFileSync(file, 'utf8'), `${basename(file)} differs; if the change is intended, npm run export:golden:update`);
      // The whole script parses as one, and so does each statement (so a message points at one).
      assert.deepEqual(grammar.errors(sql), [], `${c.name}: the script does not parse`);
      for (const statement of statements(sql)) assert.deepEqual(grammar.errors(statement + ';'), [], statement);
    });
  }
});
