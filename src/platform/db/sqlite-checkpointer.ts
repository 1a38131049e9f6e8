// Checkpoints the embedded database's write-ahead log on a thread of its own. SQLite's automatic checkpoint runs in
// the connection that commits when the log passes 1,000 pages, and copies the pages back and syncs the file there:
// on the server's one connection that stalled the event loop 10–15 ms at a time under steady writes (seen in a CPU
// profile of the domain sweep), and every request waited. The server's connection turns the automatic checkpoint
// off; this worker's own connection runs a PASSIVE checkpoint (which never waits for readers or writers) four
// times a second, and once more when it stops.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const source = `
const { workerData, parentPort } = require('node:worker_threads');
const SQLite = require(workerData.module);
const db = new SQLite(workerData.filename, { fileMustExist: true });
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or interrupted: the next tick tries again.
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage('stopped');
});
`;

export type Checkpointer = { stop(): Promise<void> };

export function startCheckpointer(filename: string, everyMs = 250): Checkpointer {
  const worker = new Worker(source, { eval: true, workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), filename, everyMs } });
  // A process whose work is done does not stay up for the checkpointer.
  worker.unref();
  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        const done = () => void worker.terminate().then(() => resolve(), () => resolve());
        worker.once('message', done);
        worker.once('error', done);
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      })),
  };
}
