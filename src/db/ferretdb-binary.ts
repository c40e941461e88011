import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chmod, cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from '../shared/logger.ts';

const run = promisify(execFile);

export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
export const FERRETDB_VERSION = 'v1.24.2';
/** Bumped whenever the patch below changes, so a cached binary without it is rebuilt. */
const BUILD_TAG = `${FERRETDB_VERSION}-starlight3`;

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_FERRETDB_CACHE = path.join(PROJECT_ROOT, '.cache', 'ferretdb');

/**
 * Builds FerretDB once with the machine's Go toolchain and returns the binary's path; later calls
 * reuse it. Why not simply `go install …/cmd/ferretdb@v1.24.2`: that command first asks the module
 * proxy for the module's version list (refused here with 403), and the module zip lacks the
 * generated build/version/version.txt, so the binary panics at start. Downloading the exact
 * version, writing version.txt into a private copy and building that copy avoids both.
 *
 * The copy also gets one small patch (WRITE_LOCK_PATCH): FerretDB 1.x runs `update`,
 * `findAndModify` and `delete` as a read followed by a separate write, so two concurrent
 * conditional updates of one document both "succeed" and one is lost (measured here: 30 concurrent
 * `{availableFen: {$gte: 70}}` holds on 1000 fen all reported success, 6 were applied;
 * FerretDB issue #3040). The whole design relies on conditional single-document updates being
 * atomic, as they are on MongoDB, so the patch serialises FerretDB's write commands behind one
 * mutex. Reads are untouched. test/db/ferretdb-capabilities.test.ts proves the result.
 *
 * A second patch (ID_PUSHDOWN_PATCH) widens FerretDB's only SQLite index use: it fetches a
 * document by primary key only when the filter is `{_id}` and nothing else, so the conditional
 * updates this design lives on (`{_id, status: 'offered'}`) scanned the whole collection — 45 ms a
 * transition with 300 seniors. The patch pre-selects by `_id` whenever the filter has a string or
 * ObjectId `_id` equality; FerretDB's handler still applies the complete filter to what comes back
 * (msg_find, msg_update, msg_findandmodify all run FilterIterator), so results are unchanged.
 *
 * A third patch (applyIdIndexPatch) makes that pre-selection use the `_id` index at all: FerretDB
 * creates the unique index on the expression `_ferretdb_sjson->"_id"` but queries
 * `_ferretdb_sjson->'$._id'` — the same value, a different expression, so SQLite scanned the table
 * for every "primary key" lookup (EXPLAIN QUERY PLAN: `SCAN`; 3,000 settlement lines took minutes).
 * The patch writes the query with the index's own expression (now `SEARCH … USING INDEX`).
 */
export async function ensureFerretDbBinary(logger: Logger, cacheDir = DEFAULT_FERRETDB_CACHE): Promise<string> {
  const binary = path.join(cacheDir, BUILD_TAG, 'ferretdb');
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
  await assertGoAvailable();
  logger.info({ version: FERRETDB_VERSION }, 'building FerretDB with the Go toolchain (first start only, about two minutes)');
  const goEnv = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
  const { stdout } = await run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], { env: goEnv, cwd: cacheDir, maxBuffer: 1 << 20 });
  const moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!moduleDir) throw new Error(`go mod download did not report a directory for ${FERRETDB_MODULE}@${FERRETDB_VERSION}`);

  const sourceDir = path.join(cacheDir, `src-${FERRETDB_VERSION}-${process.pid}`);
  await rm(sourceDir, { recursive: true, force: true });
  await cp(moduleDir, sourceDir, { recursive: true });
  await run('chmod', ['-R', 'u+w', sourceDir]);
  await writeFile(path.join(sourceDir, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
  await applyWriteLockPatch(sourceDir);
  await applyIdPushdownPatch(sourceDir);
  await applyIdIndexPatch(sourceDir);

  const partial = `${binary}.partial-${process.pid}`;
  await mkdir(path.dirname(binary), { recursive: true });
  await run('go', ['build', '-trimpath', '-buildvcs=false', '-o', partial, './cmd/ferretdb'], {
    env: { ...goEnv, CGO_ENABLED: '0' },
    cwd: sourceDir,
    maxBuffer: 16 << 20,
  });
  await chmod(partial, 0o755);
  await rename(partial, binary);
  await rm(sourceDir, { recursive: true, force: true });
  logger.info({ binary }, 'FerretDB built');
}

const WRITE_LOCK_PATCH = `package handler

import (
\t"context"
\t"sync"

\t"github.com/FerretDB/wire"
)

// starlightWriteLock makes each write command atomic with respect to every other one: FerretDB
// 1.x evaluates the filter and writes the result in two steps, which loses concurrent updates.
var starlightWriteLock sync.Mutex

func (h *Handler) starlightSerialiseWrites() {
\tfor _, name := range []string{"insert", "update", "delete", "findAndModify", "findandmodify"} {
\t\tcmd, ok := h.commands[name]
\t\tif !ok {
\t\t\tpanic("starlight patch: command not found: " + name)
\t\t}
\t\tnext := cmd.Handler
\t\tcmd.Handler = func(ctx context.Context, msg *wire.OpMsg) (*wire.OpMsg, error) {
\t\t\tstarlightWriteLock.Lock()
\t\t\tdefer starlightWriteLock.Unlock()
\t\t\treturn next(ctx, msg)
\t\t}
\t}
}
`;

async function applyWriteLockPatch(sourceDir: string): Promise<void> {
  const handlerDir = path.join(sourceDir, 'internal', 'handler');
  const handlerFile = path.join(handlerDir, 'handler.go');
  const original = await readFile(handlerFile, 'utf8');
  const call = '\th.initCommands()\n';
  if (original.split(call).length !== 2) throw new Error(`cannot patch FerretDB: expected one "h.initCommands()" in ${handlerFile}`);
  await writeFile(handlerFile, original.replace(call, `${call}\th.starlightSerialiseWrites()\n`));
  await writeFile(path.join(handlerDir, 'starlight_write_lock.go'), WRITE_LOCK_PATCH);
}

async function applyIdPushdownPatch(sourceDir: string): Promise<void> {
  const file = path.join(sourceDir, 'internal', 'backends', 'sqlite', 'collection.go');
  const original = await readFile(file, 'utf8');
  const narrow = '\tif params.Filter.Len() == 1 {\n\t\tv, _ := params.Filter.Get("_id")\n';
  if (original.split(narrow).length !== 3) throw new Error(`cannot patch FerretDB: expected two _id pushdown checks in ${file}`);
  await writeFile(file, original.replaceAll(narrow, '\tif params.Filter.Len() >= 1 {\n\t\tv, _ := params.Filter.Get("_id")\n'));
}

async function applyIdIndexPatch(sourceDir: string): Promise<void> {
  const file = path.join(sourceDir, 'internal', 'backends', 'sqlite', 'metadata', 'metadata.go');
  const original = await readFile(file, 'utf8');
  const column = `IDColumn = DefaultColumn + "->'$._id'"`;
  if (original.split(column).length !== 2) throw new Error(`cannot patch FerretDB: expected the IDColumn expression in ${file}`);
  await writeFile(file, original.replace(column, 'IDColumn = DefaultColumn + `->"_id"`'));
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
