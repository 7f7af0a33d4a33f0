/**
 * Builds the web client (renderer/ with Vite into dist/web) when it is missing or older than its
 * sources. `npm start` and the web end-to-end suite call it, so neither serves a stale client.
 *   node --import tsx scripts/build-web.ts [--if-stale]
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const CONFIG = path.join(ROOT, 'renderer', 'vite.config.ts');
export const WEB_DIR = path.join(ROOT, 'dist', 'web');
// resources/sounds: the renderer bundles the generated sounds (renderer/call/sounds.ts).
const INPUTS = ['renderer', 'core', 'protocol', 'resources/sounds', 'package-lock.json'];

/** Newest modification time under a path, ignoring tests (they never reach the bundle). */
function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return /\.test\.tsx?$/.test(p) ? 0 : s.mtimeMs;
  let max = s.mtimeMs;
  for (const entry of readdirSync(p)) max = Math.max(max, newest(path.join(p, entry)));
  return max;
}

export function webBuildIsStale(): boolean {
  const index = path.join(WEB_DIR, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return INPUTS.some((input) => newest(path.join(ROOT, input)) > built);
}

/** Builds when needed; resolves with whether it built. */
export async function buildWeb(options: { ifStale: boolean }): Promise<boolean> {
  if (options.ifStale && !webBuildIsStale()) return false;
  const { build } = await import('vite');
  // Under Vitest NODE_ENV is `test`, and Vite would then bundle React's development build.
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: CONFIG, mode: 'production', logLevel: 'warn' });
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const ifStale = process.argv.includes('--if-stale');
  const started = Date.now();
  buildWeb({ ifStale }).then(
    (built) => {
      process.stdout.write(
        built
          ? `web client built into ${path.relative(ROOT, WEB_DIR)} in ${Date.now() - started} ms\n`
          : `web client up to date (${path.relative(ROOT, WEB_DIR)})\n`,
      );
    },
    (error: unknown) => {
      process.stderr.write(`web client build failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
