import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, readdirSync, readFileSync } from 'node:fs';
import { access, chmod, cp, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from '../shared/logger.ts';
import { applyPatchSeries } from './patch-series.ts';

const run = promisify(execFile);
/** How this project runs Go: the module's own go.mod, the machine's toolchain (no downloads of Go). */
export const GO_ENV = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };

export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
export const FERRETDB_VERSION = 'v1.24.2';
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The project's patch series against the FerretDB release, applied in order at build time. */
export const FERRETDB_PATCH_DIR = path.join(PROJECT_ROOT, 'src', 'db', 'ferretdb-patches');
/**
 * `<version>-starlight<patches>-<hash of the series>`: a cached binary built from another series
 * (a patch added, changed or dropped) is never reused.
 */
export const FERRETDB_BUILD_TAG = buildTagOf(FERRETDB_PATCH_DIR);
export const DEFAULT_FERRETDB_CACHE = path.join(PROJECT_ROOT, '.cache', 'ferretdb');

/**
 * Builds FerretDB once with the machine's Go toolchain and returns the binary's path; later calls
 * reuse it. Why not simply `go install …/cmd/ferretdb@v1.24.2`: that command first asks the module
 * proxy for the module's version list (refused here with 403), and the module zip lacks the
 * generated build/version/version.txt, so the binary panics at start. Downloading the exact
 * version, writing version.txt into a private copy and building that copy avoids both.
 *
 * The copy then gets the project's patch series, `src/db/ferretdb-patches/NNNN-*.patch`: real
 * unified diffs against the release, applied in order by `applyPatchSeries` with exact context (a
 * patch that no longer applies stops the build with its name). Each file starts with why it exists
 * and which test proves it: atomic write commands (0001), `_id` lookups, `$in`s and ranges through
 * the `_id` index (0002–0004, 0008), `_id`-ordered streams (0005), top-level string equalities
 * through the other indexes (0006), leak tracking off (0007), stored documents read in one
 * pass (0009). README "The database" tells the story.
 */
export async function ensureFerretDbBinary(logger: Logger, cacheDir = DEFAULT_FERRETDB_CACHE): Promise<string> {
  const binary = path.join(cacheDir, FERRETDB_BUILD_TAG, 'ferretdb');
  if (await isExecutable(binary)) return binary;

  await mkdir(cacheDir, { recursive: true });
  const release = await acquireBuildLock(path.join(cacheDir, '.build-lock'), logger);
  try {
    // Another process may have finished the build while we waited for the lock.
    if (await isExecutable(binary)) return binary;
    await buildFerretDb(binary, cacheDir, logger);
    return binary;
  } finally {
    await release();
  }
}

async function buildFerretDb(binary: string, cacheDir: string, logger: Logger): Promise<void> {
  logger.info({ version: FERRETDB_VERSION }, 'building FerretDB with the Go toolchain (first start only, about two minutes)');
  const sourceDir = path.join(cacheDir, `src-${FERRETDB_VERSION}-${process.pid}`);
  const applied = await preparePatchedSource(sourceDir);
  logger.info({ patches: applied }, 'FerretDB patched');

  const partial = `${binary}.partial-${process.pid}`;
  await mkdir(path.dirname(binary), { recursive: true });
  await run('go', ['build', '-trimpath', '-buildvcs=false', '-o', partial, './cmd/ferretdb'], {
    env: { ...GO_ENV, CGO_ENABLED: '0' },
    cwd: sourceDir,
    maxBuffer: 16 << 20,
  });
  await chmod(partial, 0o755);
  await rename(partial, binary);
  await rm(sourceDir, { recursive: true, force: true });
  logger.info({ binary }, 'FerretDB built');
}

/**
 * A private, writable copy of the release's sources in `sourceDir`, with version.txt written and
 * the patch series applied; answers the patches applied, in order. The build uses it, and so does
 * the test that runs the patched packages' own Go tests.
 */
export async function preparePatchedSource(sourceDir: string): Promise<string[]> {
  await assertGoAvailable();
  await mkdir(path.dirname(sourceDir), { recursive: true });
  const { stdout } = await run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], { env: GO_ENV, cwd: path.dirname(sourceDir), maxBuffer: 1 << 20 });
  const moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!moduleDir) throw new Error(`go mod download did not report a directory for ${FERRETDB_MODULE}@${FERRETDB_VERSION}`);

  await rm(sourceDir, { recursive: true, force: true });
  await cp(moduleDir, sourceDir, { recursive: true });
  await run('chmod', ['-R', 'u+w', sourceDir]);
  await writeFile(path.join(sourceDir, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
  return applyPatchSeries(FERRETDB_PATCH_DIR, sourceDir);
}

async function assertGoAvailable(): Promise<void> {
  try {
    await run('go', ['version']);
  } catch {
    throw new Error('The Go toolchain (go) is not on PATH: install Go 1.22 or newer to build the embedded FerretDB, or set MONGODB_URI to use an existing MongoDB.');
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// A directory is created atomically, so it serves as a lock between a test run and `npm start`
// building at the same time. A lock older than 20 minutes belongs to a build that died.
async function acquireBuildLock(lockDir: string, logger: Logger): Promise<() => Promise<void>> {
  const staleAfterMs = 20 * 60_000;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await mkdir(lockDir);
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const ageMs = Date.now() - (await stat(lockDir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (ageMs > staleAfterMs) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (attempt === 0) logger.info('waiting for another process to finish building FerretDB');
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

function buildTagOf(seriesDir: string): string {
  const names = readdirSync(seriesDir).filter((name) => name.endsWith('.patch')).sort();
  const hash = createHash('sha256');
  for (const name of names) hash.update(name).update(readFileSync(path.join(seriesDir, name)));
  return `${FERRETDB_VERSION}-starlight${names.length}-${hash.digest('hex').slice(0, 8)}`;
}
