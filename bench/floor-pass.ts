/**
 * The JSON.parse floor as a process of its own, run by the engine-window suite the same way as
 * `sw replay`: a child of the bench, CPU of the whole process (Node's start-up included), so
 * neither side carries the other's harness. Prints `{"events":…,"checksum":…}`.
 * Usage: node dist/bench/floor-pass.js <file.jsonl>
 */
import { jsonParsePass } from './file-passes.js';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('floor-pass: no input; usage: node dist/bench/floor-pass.js <file.jsonl>\n');
  process.exit(2);
}
const { events, checksum } = await jsonParsePass(file);
process.stdout.write(`${JSON.stringify({ events, checksum })}\n`);
