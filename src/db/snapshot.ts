import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../shared/logger.ts';
import { FERRETDB_BUILD_TAG } from './ferretdb-binary.ts';
import { backupSqliteFile, checkSqliteFile, ensureSnapshotTool } from './snapshot-tool.ts';

/*
 * A snapshot of the embedded database is a folder laid out like a DATA_DIR:
 *   ferretdb/<database>.sqlite   each database, copied by SQLite's VACUUM INTO (one instant each)
 *   ferretdb-state/…             FerretDB's state file (its instance id)
 *   dev-secrets.json             the development secrets, when the data folder has them: without
 *                                them nothing encrypted can be read and the audit chain fails
 *   snapshot.json                the manifest, written last: a folder without it is no snapshot
 * The service keeps everything in one database (`starlight`), so one file is one instant of all
 * of it. Restoring checks every file against the manifest and copies the folder into an empty
 * DATA_DIR.
 */

export const SNAPSHOT_FORMAT = 'starlight-embedded-snapshot/1';
const MANIFEST = 'snapshot.json';
const SECRETS_FILE = 'dev-secrets.json';
const SQLITE_DIR = 'ferretdb';
const STATE_DIR = 'ferretdb-state';

export interface SnapshotDatabase {
  name: string;
  file: string;
  bytes: number;
  sha256: string;
  /** When the copy's read transaction began and the copy ended: it holds every commit before the first. */
  startedAt: string;
  finishedAt: string;
  collections: Record<string, number>;
}

export interface SnapshotManifest {
  format: typeof SNAPSHOT_FORMAT;
  createdAt: string;
  sourceDataDir: string;
  ferretdbBuild: string;
  sqliteVersion: string;
  databases: SnapshotDatabase[];
  files: { path: string; bytes: number; sha256: string }[];
}

/** Takes a consistent snapshot of the embedded database under `dataDir`, running or not, into `outDir`. */
export async function snapshotDataDir(options: { dataDir: string; outDir: string; logger: Logger }): Promise<SnapshotManifest> {
  const dataDir = path.resolve(options.dataDir);
  const outDir = path.resolve(options.outDir);
  const sqliteFiles = (await readdir(path.join(dataDir, SQLITE_DIR)).catch(() => [])).filter((name) => name.endsWith('.sqlite')).sort();
  if (sqliteFiles.length === 0) throw new Error(`no embedded database under ${dataDir} (no ${SQLITE_DIR}/*.sqlite): nothing to snapshot`);
  await assertEmptyOrMissing(outDir, 'the snapshot folder');
  const tool = await ensureSnapshotTool(options.logger);

  // Written beside its destination and renamed into place: a snapshot cut short leaves no folder
  // that looks like one.
  const staging = `${outDir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(path.join(staging, SQLITE_DIR), { recursive: true, mode: 0o700 });
  try {
    const databases: SnapshotDatabase[] = [];
    let sqliteVersion = '';
    for (const name of sqliteFiles) {
      const file = `${SQLITE_DIR}/${name}`;
      const report = await backupSqliteFile(tool, path.join(dataDir, file), path.join(staging, file));
      sqliteVersion = report.sqliteVersion;
      databases.push({ name: name.slice(0, -'.sqlite'.length), file, ...(await fingerprint(path.join(staging, file))), startedAt: report.startedAt as string, finishedAt: report.finishedAt as string, collections: report.collections });
      options.logger.info({ database: file, documents: sumOf(report.collections) }, 'database copied');
    }
    const others = [...(await readdir(path.join(dataDir, STATE_DIR)).catch(() => [])).map((name) => `${STATE_DIR}/${name}`), ...(existsSync(path.join(dataDir, SECRETS_FILE)) ? [SECRETS_FILE] : [])];
    const files = [];
    for (const file of others) {
      if (!(await stat(path.join(dataDir, file))).isFile()) continue;
      await mkdir(path.dirname(path.join(staging, file)), { recursive: true, mode: 0o700 });
      await copyFile(path.join(dataDir, file), path.join(staging, file));
      if (file === SECRETS_FILE) await chmod(path.join(staging, file), 0o600);
      files.push({ path: file, ...(await fingerprint(path.join(staging, file))) });
    }
    const manifest: SnapshotManifest = { format: SNAPSHOT_FORMAT, createdAt: new Date().toISOString(), sourceDataDir: dataDir, ferretdbBuild: FERRETDB_BUILD_TAG, sqliteVersion, databases, files };
    await writeFile(path.join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    await chmod(staging, 0o700);
    await rmdir(outDir).catch(() => undefined);
    await rename(staging, outDir);
    return manifest;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Restores a snapshot into `dataDir`, which must be missing or empty (move the old one aside
 * first: a restore never overwrites data). Every file is checked against the manifest and every
 * database by SQLite's integrity check before anything is put in place.
 */
export async function restoreSnapshot(options: { fromDir: string; dataDir: string; logger: Logger }): Promise<SnapshotManifest> {
  const fromDir = path.resolve(options.fromDir);
  const dataDir = path.resolve(options.dataDir);
  const manifest = await readSnapshotManifest(fromDir);
  await assertEmptyOrMissing(dataDir, 'the data folder to restore into');
  const tool = await ensureSnapshotTool(options.logger);

  for (const entry of [...manifest.databases, ...manifest.files.map((file) => ({ ...file, file: file.path }))]) {
    const actual = await fingerprint(path.join(fromDir, entry.file)).catch(() => null);
    if (!actual || actual.sha256 !== entry.sha256 || actual.bytes !== entry.bytes) throw new Error(`${entry.file} in ${fromDir} is missing or differs from the snapshot's manifest: not restoring`);
  }
  for (const database of manifest.databases) {
    const report = await checkSqliteFile(tool, path.join(fromDir, database.file));
    if (report.integrity !== 'ok') throw new Error(`${database.file} failed SQLite's integrity check (${report.integrity}): not restoring`);
  }

  const staging = `${dataDir}.restoring-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true, mode: 0o700 });
  try {
    for (const file of [...manifest.databases.map((database) => database.file), ...manifest.files.map((entry) => entry.path)]) {
      await mkdir(path.dirname(path.join(staging, file)), { recursive: true, mode: 0o700 });
      await copyFile(path.join(fromDir, file), path.join(staging, file));
      if (file === SECRETS_FILE) await chmod(path.join(staging, file), 0o600);
    }
    await rmdir(dataDir).catch(() => undefined);
    await rename(staging, dataDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  options.logger.info({ dataDir, databases: manifest.databases.map((database) => database.name), createdAt: manifest.createdAt }, 'snapshot restored');
  return manifest;
}

export async function readSnapshotManifest(fromDir: string): Promise<SnapshotManifest> {
  const text = await readFile(path.join(fromDir, MANIFEST), 'utf8').catch(() => null);
  if (text === null) throw new Error(`${fromDir} is not a snapshot (no ${MANIFEST}; a snapshot cut short has none)`);
  const manifest = JSON.parse(text) as SnapshotManifest;
  if (manifest.format !== SNAPSHOT_FORMAT) throw new Error(`${fromDir}/${MANIFEST} is of format ${String(manifest.format)}, not ${SNAPSHOT_FORMAT}`);
  return manifest;
}

async function assertEmptyOrMissing(dir: string, what: string): Promise<void> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) throw new Error(`${what} ${dir} is not empty: choose a new folder (or move the old one aside)`);
}

async function fingerprint(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

const sumOf = (counts: Record<string, number>) => Object.values(counts).reduce((total, count) => total + count, 0);
