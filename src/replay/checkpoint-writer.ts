/**
 * The checkpoint store's writer thread (CheckpointStore.writeInBackground), a checkpoint's
 * asynchronous part: for each job, syncs the output files up to what the replay flushed, encodes
 * the state the replay thread copied (pattern keys: pattern-snapshot-copy.ts, reading the copy in
 * the SharedArrayBuffers it was made in), then commits the checkpoint's row in one transaction on
 * its own connection to the store, and replies with the result; the replay thread
 * reads the reply when it next needs the store. Files are opened by path (fsync acts on the file,
 * not on the descriptor), so the replay may close its own descriptors at any time.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { CheckpointStore, DurableFiles, type CommitReply, type NewRow } from './checkpoint-store.js';
import { threadCpuMs } from './cpu-time.js';

type Job = { readonly durable: readonly string[]; readonly row: NewRow } | { readonly close: true };

const { path, port, flag } = workerData as { path: string; port: MessagePort; flag: Int32Array };
/** Opened by the first job, so that failing to open is that job's reply. */
let store: CheckpointStore | null = null;
const files = new DurableFiles();

function reply(message: CommitReply | { closed: true }): void {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

// Loaded: the replay thread waits for this before its first job.
Atomics.store(flag, 1, 1);
Atomics.notify(flag, 1);

/** Closes the files and the connection; the thread then ends (nothing left to wait for). */
function shutDown(): void {
  files.close();
  try {
    store?.close();
  } catch {
    // Closing a connection that cannot be closed loses nothing: every commit is done.
  }
  store = null;
}

// The replay gave up on this thread (no answer in time): it ends after the job it is in.
port.on('close', shutDown);

port.on('message', (job: Job) => {
  if ('close' in job) {
    shutDown();
    reply({ closed: true });
    port.close();
    return;
  }
  // Given up on before this job started (the thread loaded late): the replay has reported it failed.
  if (Atomics.load(flag, 2) === 1) {
    shutDown();
    port.close();
    return;
  }
  try {
    files.sync(job.durable);
    store ??= CheckpointStore.open(path);
    // With this thread's CPU time so far: a checkpoint's cost on this thread (the replay's summary).
    reply({ ...store.commitRow(job.row), cpuMs: threadCpuMs() });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    reply({ error: (error as Error).message, code: typeof code === 'string' ? code : undefined, cpuMs: threadCpuMs() });
  }
});
