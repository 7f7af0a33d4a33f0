/**
 * A load generator process (forked by run.ts): signs in its share of the users, then runs call
 * cycles among them at the rate it is told. Talks to the orchestrator over IPC only.
 */
import { CycleDriver, type LoadUser } from './call-cycles.js';
import { openSession } from './lean-client.js';
import type { BenchUser, FromGenerator, ToGenerator } from './messages.js';

const HELLO_TIMEOUT_MS = 20_000;

const driver = new CycleDriver();

function tell(message: FromGenerator): void {
  process.send?.(message);
}

async function connectAll(url: string, users: BenchUser[], concurrency: number): Promise<void> {
  const t0 = performance.now();
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    // Each worker takes the next user until none are left: users.length iterations in all.
    while (next < users.length) {
      const account = users[next++];
      if (!account) break;
      const user: LoadUser = {
        userId: account.userId,
        session: undefined,
        open: false,
        cycle: undefined,
      };
      const started = performance.now();
      const session = openSession(
        url,
        account.token,
        {
          onFrame: (text) => {
            driver.onFrame(user, text);
          },
          onClose: () => {
            driver.onClose(user);
          },
        },
        HELLO_TIMEOUT_MS,
      );
      user.session = session;
      try {
        await session.ready;
        user.open = true;
        latencies.push(performance.now() - started);
        driver.add(user);
      } catch (error) {
        const key = error instanceof Error ? error.message.slice(0, 80) : String(error);
        errors[key] = (errors[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  tell({
    type: 'connected',
    signedIn: latencies.length,
    failed: users.length - latencies.length,
    errors,
    elapsedMs: performance.now() - t0,
    latencies: Float64Array.from(latencies),
  });
}

/**
 * A full collection before each load step (the generators run with --expose-gc). Signing in
 * 5,000 sockets leaves tens of MB in the young generation; left there, the first scavenge of the
 * measured window copied all of it (20-25 ms) and showed up as server latency. A full collection
 * moves what survives to the old generation, before the warm-up starts.
 */
function collectSetUpGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function handle(message: ToGenerator): Promise<void> {
  switch (message.type) {
    case 'connect':
      await connectAll(message.url, message.users, message.concurrency);
      return;
    case 'step':
      collectSetUpGarbage();
      tell(await driver.runStep(message.step, message.rate, message.warmupMs, message.measureMs));
      return;
    case 'exit':
      process.exit(0);
  }
}

process.on('message', (raw) => {
  handle(raw as ToGenerator).catch((error: unknown) => {
    tell({
      type: 'fatal',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  });
});
// The orchestrator is gone: nothing left to do.
process.on('disconnect', () => {
  process.exit(0);
});
tell({ type: 'ready' });
