import { build } from 'esbuild';

/** Bundles a browser entry (TypeScript) into one script for a test page. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`bundling ${entry} produced nothing`);
  return file.text;
}
