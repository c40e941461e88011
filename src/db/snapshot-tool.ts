import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, readFileSync } from 'node:fs';
import { access, chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from '../shared/logger.ts';
import { FERRETDB_MODULE, FERRETDB_VERSION, GO_ENV } from './ferretdb-binary.ts';

const run = promisify(execFile);
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOOL_SOURCE = path.join(PROJECT_ROOT, 'src', 'db', 'snapshot-tool', 'main.go');
export const DEFAULT_SNAPSHOT_TOOL_CACHE = path.join(PROJECT_ROOT, '.cache', 'sqlite-snapshot');

/** What the tool reports of one SQLite file: its integrity check and its documents per collection. */
export interface SqliteFileReport {
  sqliteVersion: string;
  integrity: string;
  collections: Record<string, number>;
  /** backup only: when the copy's read transaction began and when the copy ended (UTC). */
  startedAt?: string;
  finishedAt?: string;
}

/**
 * The snapshot tool (src/db/snapshot-tool/main.go), built once with the machine's Go toolchain
 * against FerretDB's own go.mod and go.sum: it links the same modernc.org/sqlite that FerretDB
 * writes with, and needs nothing that FerretDB's build did not already fetch. Why not the sqlite3
 * command: it is not among what a fresh machine needs (Node, Go, Python) and installing it takes
 * root; why not an npm package: the ones with SQLite either download a binary at install (refused
 * here) or, compiled to WebAssembly, read the file without SQLite's locks and WAL.
 */
export async function ensureSnapshotTool(logger: Logger, cacheDir = DEFAULT_SNAPSHOT_TOOL_CACHE): Promise<string> {
  const tag = createHash('sha256').update(FERRETDB_VERSION).update(readFileSync(TOOL_SOURCE)).digest('hex').slice(0, 12);
  const binary = path.join(cacheDir, tag, 'starlight-sqlite-snapshot');
  if (await access(binary, constants.X_OK).then(() => true, () => false)) return binary;

  logger.info('building the SQLite snapshot tool with the Go toolchain (once)');
  await mkdir(path.dirname(binary), { recursive: true });
  const buildDir = await mkdtemp(path.join(cacheDir, 'build-'));
  try {
    const { stdout } = await run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], { env: GO_ENV, cwd: buildDir, maxBuffer: 1 << 20 });
    const moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir;
    if (!moduleDir) throw new Error(`go mod download did not report a directory for ${FERRETDB_MODULE}@${FERRETDB_VERSION}`);
    const goMod = await readFile(path.join(moduleDir, 'go.mod'), 'utf8');
    await writeFile(path.join(buildDir, 'go.mod'), goMod.replace(/^module .*$/m, 'module starlight/sqlite-snapshot'));
    await copyFile(path.join(moduleDir, 'go.sum'), path.join(buildDir, 'go.sum'));
    await copyFile(TOOL_SOURCE, path.join(buildDir, 'main.go'));
    // Several processes may build at once (a test run and a script): each writes its own file and
    // renames it into place, so none ever runs a half-written binary.
    const partial = `${binary}.partial-${process.pid}`;
    await run('go', ['build', '-trimpath', '-buildvcs=false', '-o', partial, '.'], { env: { ...GO_ENV, CGO_ENABLED: '0' }, cwd: buildDir, maxBuffer: 16 << 20 });
    await chmod(partial, 0o755);
    await rename(partial, binary);
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
  return binary;
}

/** A consistent copy of `source` (which FerretDB may be writing) into `target`, checked. */
export async function backupSqliteFile(tool: string, source: string, target: string): Promise<SqliteFileReport> {
  return runTool(tool, ['backup', source, target]);
}

/** The integrity check and the per-collection counts of a SQLite file of FerretDB's. */
export async function checkSqliteFile(tool: string, file: string): Promise<SqliteFileReport> {
  return runTool(tool, ['check', file]);
}

async function runTool(tool: string, args: string[]): Promise<SqliteFileReport> {
  try {
    const { stdout } = await run(tool, args, { maxBuffer: 4 << 20 });
    return JSON.parse(stdout) as SqliteFileReport;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(stderr || (error as Error).message, { cause: error });
  }
}
