/** A terminal and a keyboard for the live view's benchmarks: nobody sees the frames, nobody types. */
import { PassThrough } from 'node:stream';

/** A writable that looks like a `columns`×`rows` terminal and throws the frames away. */
export function offscreenTerminal(columns = 120, rows = 40): NodeJS.WriteStream {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  Object.assign(stream, { columns, rows, isTTY: true });
  stream.on('data', () => undefined);
  return stream;
}

/** A readable that looks like a terminal in raw mode and never sends a key. */
export function keyboard(): NodeJS.ReadStream {
  const stream = new PassThrough() as unknown as NodeJS.ReadStream & PassThrough;
  Object.assign(stream, { isTTY: true, setRawMode: () => stream, ref: () => stream, unref: () => stream });
  return stream;
}
