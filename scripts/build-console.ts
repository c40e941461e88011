import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// `npm start` and the end-to-end tests build the web console only when web/dist is missing or
// older than what it is built from, so a start after `git pull` never serves a stale console and
// an unchanged one starts at once.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WEB = path.join(ROOT, 'web');
const BUILT_INDEX = path.join(WEB, 'dist', 'index.html');
const SOURCES = [path.join(WEB, 'src'), path.join(WEB, 'index.html'), path.join(WEB, 'vite.config.ts'), path.join(ROOT, 'package-lock.json')];

function newestModification(entry: string): number {
  const stats = statSync(entry, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(entry).map((name) => newestModification(path.join(entry, name))));
}

export function isConsoleStale(): boolean {
  const built = statSync(BUILT_INDEX, { throwIfNoEntry: false });
  return !built || Math.max(...SOURCES.map(newestModification)) > built.mtimeMs;
}

/** Builds web/ into web/dist with Vite when stale; answers whether it built. */
export async function ensureConsoleBuilt(log: (line: string) => void = () => undefined): Promise<boolean> {
  if (!isConsoleStale()) return false;
  log('building the web console (web/ → web/dist) …');
  const started = Date.now();
  const { build } = await import('vite');
  await build({ configFile: path.join(WEB, 'vite.config.ts'), logLevel: 'warn' });
  log(`web console built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  // No top-level await: the end-to-end tests import this module, and mocha may load it as CommonJS.
  ensureConsoleBuilt((line) => console.log(line)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
