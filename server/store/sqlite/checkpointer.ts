import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../logger.js';
import type { SqliteDatabase } from './database.js';

/** SQLite's default: the WAL is checkpointed by the committing connection past this many pages. */
const AUTOCHECKPOINT_PAGES = 1000;
const DEFAULT_INTERVAL_MS = 200;
const CLOSE_GRACE_MS = 2_000;

/**
 * The worker: its own connection to the file, checkpointing the WAL in PASSIVE mode (it never
 * blocks the server's reads and writes) on a timer. Plain CommonJS evaluated as a string, so that
 * it runs the same under tsx, vitest and a build.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Moves WAL checkpoints off the event loop. By default the connection whose commit pushes the
 * WAL past 1000 pages copies them into the database file and fsyncs it, inside that commit: a
 * 20-record write-behind flush that normally takes ~1 ms then stalls every request for 15-50 ms
 * (measured on this machine's ext4 disk, p90/p99 of commits 14/41 ms with automatic checkpoints,
 * 1.0/8 ms without). Here a worker thread checkpoints instead; should it fail, the connection
 * checkpoints for itself again. For the calls file this matters more still: signaling frames
 * wait for its commits (call-journal.ts), so a checkpoint inside one would hold every answer.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private stopped = false;
  private readonly exited: Promise<void>;

  /**
   * `setAutocheckpoint`: how the file's committing connection is told to stop (0) or resume
   * checkpointing by itself; `db`'s own pragma by default (the accounts file, written on the
   * event loop), a message to the writer thread for the calls file.
   */
  constructor(
    db: SqliteDatabase,
    file: string,
    private readonly logger: Logger,
    intervalMs = DEFAULT_INTERVAL_MS,
    private readonly setAutocheckpoint: (pages: number) => void = (pages) => {
      if (db.open) db.pragma(`wal_autocheckpoint = ${String(pages)}`);
    },
  ) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    setAutocheckpoint(0);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, file, intervalMs },
      // Not the server's flags (tsx, a CPU profile): the worker is plain CommonJS.
      execArgv: [],
    });
    this.worker.unref();
    this.worker.on('message', (message: { error?: string }) => {
      logger.warn({ err: message.error }, 'WAL checkpoint failed; retrying on the next tick');
    });
    this.worker.on('error', (error) => {
      this.fallBack(error);
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', () => {
        if (!this.stopped) this.fallBack(new Error('checkpoint worker exited'));
        resolve();
      });
    });
  }

  /** Stops the worker (closing its connection) before the file itself is closed. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.postMessage('close');
    const timer = setTimeout(() => void this.worker.terminate(), CLOSE_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private fallBack(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.logger.error({ err: error }, 'WAL checkpoint worker failed; checkpointing in-line again');
    this.setAutocheckpoint(AUTOCHECKPOINT_PAGES);
  }
}
