import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import request from 'supertest';
import { createApp } from '../../src/app.ts';
import { useAuditKey, verifyAuditChain } from '../../src/audit/index.ts';
import { jobs as catalogue } from '../../src/capabilities.ts';
import { loadConfig, type Config } from '../../src/config/env.ts';
import { connectMongoose } from '../../src/db/connection.ts';
import { findFreePort, startEmbeddedFerretDb, type EmbeddedDatabase } from '../../src/db/embedded-ferretdb.ts';
import { ensureFerretDbBinary } from '../../src/db/ferretdb-binary.ts';
import { restoreSnapshot, snapshotDataDir, type SnapshotManifest } from '../../src/db/snapshot.ts';
import { JobRunner } from '../../src/jobs/index.ts';
import { enrolSenior } from '../../src/seniors/index.ts';
import { logger } from '../../src/shared/logger.ts';
import { decryptPii } from '../../src/shared/pii.ts';
import { reconcileLedger, type ReconciliationCounts } from '../../src/vouchers/reconciliation.ts';
import { enrolmentBody } from '../seniors/senior.fixtures.ts';
import { TEST_USER_PASSWORD } from '../support/app.ts';
import { settlementWorld, shanghai } from '../settlement/settlement.fixtures.ts';

// `npm run db:snapshot` / `db:restore` end to end: a world made through the services on an
// embedded FerretDB of its own (its secrets in the data folder's dev-secrets.json, as `npm start`
// makes them), snapshotted while two writers keep enrolling seniors and driving visits (orders,
// voucher holds and redemptions, audit links), restored into a fresh folder and checked there —
// through FerretDB, then by the real service started on it.

const run = promisify(execFile);
const APPEND_ONLY = ['seniors', 'service_orders', 'voucher_entries', 'audit_entries'];
const pad = (n: number) => String(n).padStart(2, '0');

/** A loop of writes until stopped, remembering when each began and ended. */
function writer(step: (i: number) => Promise<string | null>) {
  const done: { id: string; startedAt: number; finishedAt: number }[] = [];
  const started: number[] = [];
  let stopping = false;
  let failure: unknown;
  const loop = (async () => {
    for (let i = 0; !stopping; i += 1) {
      started.push(performance.now());
      const id = await step(i);
      if (id === null) return;
      done.push({ id, startedAt: started[i] as number, finishedAt: performance.now() });
    }
  })().catch((error: unknown) => { failure = error; });
  return { done, started, stop: async () => { stopping = true; await loop; if (failure) throw failure; } };
}

async function documentCounts(): Promise<Record<string, number>> {
  const db = mongoose.connection.db!;
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((collection) => collection.name).sort();
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await db.collection(name).countDocuments()] as const)));
}

const configOn = (dataDir: string): Config => loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', AUTH_RATE_LIMIT_PER_MINUTE: '100000', SETTLEMENT_SAMPLE_PCT: '0' });

describe('embedded database snapshot and restore (db:snapshot, db:restore)', function () {
  this.timeout(300_000);
  let binary: string;
  let sourceDir: string;
  let snapshotDir: string;
  let restoredDir: string;
  let source: EmbeddedDatabase | undefined;
  let restored: EmbeddedDatabase | undefined;
  let service: ChildProcess | undefined;
  let sourceConfig: Config;
  let manifest: SnapshotManifest;
  let countsBefore: Record<string, number>;
  let countsAfter: Record<string, number>;
  let restoredCounts: Record<string, number>;
  let enrolled: ReturnType<typeof writer>;
  let visits: ReturnType<typeof writer>;
  let snapshotCall: { startedAt: number; finishedAt: number };
  const idNumbers = new Map<string, string>();
  let statementsAtSource: unknown[];
  let adminUsername: string;

  before(async function () {
    binary = process.env.TEST_FERRETDB_BIN ?? (await ensureFerretDbBinary(logger));
    sourceDir = await mkdtemp(path.join(os.tmpdir(), 'starlight-snap-source-'));
    snapshotDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'starlight-snap-')), 'snapshot');
    restoredDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'starlight-snap-restored-')), 'data');
    sourceConfig = configOn(sourceDir);
    source = await startEmbeddedFerretDb({ binary, dataDir: sourceDir, port: 0, logger });
    await connectMongoose(source.uri, { autoIndex: false, dbName: 'starlight' });
    await Promise.all(Object.values(mongoose.models).map((model) => model.createIndexes()));
    const app = createApp({ config: sourceConfig, jobRunner: new JobRunner(sourceConfig, logger, catalogue) });

    // The world: seniors, October's and November's vouchers, October's visits confirmed and settled.
    const w = await settlementWorld(sourceConfig);
    adminUsername = w.admin.username;
    const poor = await Promise.all([0, 1, 2, 3].map(() => w.senior('north', ['three_nos'])));
    const nest = await w.senior('south', ['empty_nest']);
    await w.issue('2026-10', '2026-11');
    await w.visit({ seniorId: poor[0] as string, side: 'north', at: shanghai('2026-10-05 09:00') });
    await w.visit({ seniorId: poor[1] as string, side: 'north', service: 'meal', quantity: 2, at: shanghai('2026-10-06 11:00') });
    await w.visit({ seniorId: nest, side: 'south', at: shanghai('2026-10-07 09:00'), confirm: 'callback', satisfaction: 5 });
    const settled = await request(app).post('/api/v1/settlements').set('Authorization', w.finance.authorization).send({ period: '2026-10' });
    expect(settled.status, JSON.stringify(settled.body)).to.equal(200);
    expect(settled.body.ordersSettled).to.equal(3);
    statementsAtSource = await mongoose.connection.db!.collection('settlement_statements').find({}, { sort: { _id: 1 } }).toArray();

    // The writers: enrolments (senior, history, audit link) and November visits (an order through
    // its states, a voucher hold then its redemption, audit links at every step).
    enrolled = writer(async (i) => {
      const body = enrolmentBody(w.north.id, { name: `快照${i}` });
      const senior = await enrolSenior(body, w.seniorCtx(w.registrar, new Date()));
      idNumbers.set(senior.id, body.idNumber as string);
      return senior.id;
    });
    visits = writer(async (i) => (i >= 100 ? null : w.visit({ seniorId: poor[i % 4] as string, side: 'north', service: 'meal', at: shanghai(`2026-11-${pad(1 + Math.floor(i / 4))} ${pad(8 + 2 * (i % 4))}:00`) })));
    while (enrolled.done.length < 2 || visits.done.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));

    countsBefore = await documentCounts();
    snapshotCall = { startedAt: performance.now(), finishedAt: 0 };
    manifest = await snapshotDataDir({ dataDir: sourceDir, outDir: snapshotDir, logger });
    snapshotCall.finishedAt = performance.now();
    countsAfter = await documentCounts();
    const [enrolledBefore, visitsBefore] = [enrolled.done.length, visits.done.length];
    while (enrolled.done.length < enrolledBefore + 2 || visits.done.length < visitsBefore + 1) await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([enrolled.stop(), visits.stop()]);
    await mongoose.disconnect();
    await source.stop();

    await restoreSnapshot({ fromDir: snapshotDir, dataDir: restoredDir, logger });
    restored = await startEmbeddedFerretDb({ binary, dataDir: restoredDir, port: 0, logger });
    await connectMongoose(restored.uri, { autoIndex: false, dbName: 'starlight' });
    restoredCounts = await documentCounts();
  });

  after(async () => {
    service?.kill('SIGKILL');
    await mongoose.disconnect();
    await source?.stop();
    await restored?.stop();
    for (const dir of [sourceDir, path.dirname(snapshotDir), path.dirname(restoredDir)]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('was taken while both writers were writing', () => {
    const overlapping = (list: { startedAt: number; finishedAt: number }[]) => list.filter((write) => write.startedAt < snapshotCall.finishedAt && write.finishedAt > snapshotCall.startedAt).length;
    const finishedDuring = [...enrolled.done, ...visits.done].filter((write) => write.finishedAt > snapshotCall.startedAt && write.finishedAt < snapshotCall.finishedAt).length;
    logger.info({ finishedDuring, snapshotMs: Math.round(snapshotCall.finishedAt - snapshotCall.startedAt), enrolments: enrolled.done.length, visits: visits.done.length }, 'snapshot under writes');
    expect(overlapping(enrolled.done), 'enrolments in flight during the snapshot').to.be.greaterThan(0);
    expect(overlapping(visits.done), 'visits in flight during the snapshot').to.be.greaterThan(0);
  });

  it('restores exactly the documents of the snapshot: all committed before it began, none begun after it', () => {
    const [database] = manifest.databases;
    expect(manifest.databases.map((d) => d.name)).to.deep.equal(['starlight']);
    expect(restoredCounts).to.deep.equal(database!.collections);
    logger.info(Object.fromEntries(APPEND_ONLY.map((name) => [name, { before: countsBefore[name], snapshot: restoredCounts[name], after: countsAfter[name] }])), 'documents before, in and after the snapshot');
    for (const name of APPEND_ONLY) {
      expect(restoredCounts[name], name).to.be.within(countsBefore[name] as number, countsAfter[name] as number);
    }
    expect(manifest.files.map((file) => file.path)).to.include.members(['dev-secrets.json', 'ferretdb-state/state.json']);
  });

  it('holds every enrolment finished before the snapshot and none started after it', async () => {
    const ids = (await mongoose.connection.db!.collection('seniors').find({}, { projection: { _id: 1 } }).toArray()).map((doc) => String(doc._id));
    const finishedBefore = enrolled.done.filter((write) => write.finishedAt < snapshotCall.startedAt).map((write) => write.id);
    const startedAfter = enrolled.done.filter((write) => write.startedAt > snapshotCall.finishedAt).map((write) => write.id);
    expect(finishedBefore).to.have.length.greaterThan(1);
    expect(startedAfter).to.have.length.greaterThan(0);
    expect(ids).to.include.members(finishedBefore);
    for (const id of startedAfter) expect(ids).not.to.include(id);
  });

  it('passes the voucher ledger reconciliation', async () => {
    const counts: ReconciliationCounts = await reconcileLedger('snapshot-restore-check', logger);
    logger.info({ ...counts }, 'reconciliation of the restored database');
    expect(counts.mismatches).to.equal(0);
    expect(counts.accounts).to.equal(restoredCounts.voucher_accounts);
    expect(counts.entries).to.equal(restoredCounts.voucher_entries);
    const statements = await mongoose.connection.db!.collection('settlement_statements').find({}, { sort: { _id: 1 } }).toArray();
    expect(statements).to.deep.equal(statementsAtSource);
  });

  it('passes the audit chain verification and decrypts personal data with the secrets it carried', async () => {
    const restoredConfig = configOn(restoredDir);
    expect(restoredConfig.auditKey.secret).to.equal(sourceConfig.auditKey.secret);
    useAuditKey(restoredConfig.auditKey);
    const verification = await verifyAuditChain();
    expect(verification).to.deep.equal({ ok: true, checked: restoredCounts.audit_entries });
    const seniors = (await mongoose.connection.db!.collection('seniors').find({}).toArray()).filter((senior) => idNumbers.has(String(senior._id)));
    expect(seniors).to.have.length.greaterThan(1);
    for (const senior of seniors) expect(decryptPii(restoredConfig.pii, senior.idNumberEncrypted as string)).to.equal(idNumbers.get(String(senior._id)));
  });

  it('starts the real service on the restored data folder (npm start after db:restore)', async () => {
    await mongoose.disconnect();
    await restored?.stop();
    restored = undefined;
    const port = await findFreePort();
    let output = '';
    service = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      // No secrets given: the service reads the restored dev-secrets.json, as `npm start` would.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', DATA_DIR: restoredDir, FERRETDB_BIN: binary, PORT: String(port), LOG_LEVEL: 'info', SEED_DEMO: 'false', JOBS_ENABLED: 'false',
        AUTH_RATE_LIMIT_PER_MINUTE: '100000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    service.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    service.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const url = (pathname: string) => `http://127.0.0.1:${port}${pathname}`;
    for (let waited = 0; ; waited += 200) {
      const ready = await fetch(url('/readyz')).then((res) => res.status === 200, () => false);
      if (ready) break;
      if (waited > 90_000 || service.exitCode !== null) throw new Error(`the service did not become ready on the restored folder:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const login = await fetch(url('/api/v1/auth/login'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: adminUsername, password: TEST_USER_PASSWORD }) });
    expect(login.status).to.equal(200);
    const authorization = `Bearer ${((await login.json()) as { accessToken: string }).accessToken}`;
    const verify = await fetch(url('/api/v1/audit/verify'), { headers: { authorization } });
    const verification = (await verify.json()) as { ok: boolean; checked: number };
    expect(verify.status).to.equal(200);
    expect(verification.ok, JSON.stringify(verification)).to.equal(true);
    expect(verification.checked).to.be.at.least(restoredCounts.audit_entries as number);
    const exited = new Promise((resolve) => service!.once('exit', resolve));
    service.kill('SIGTERM');
    await exited;
  });
});

describe('db:snapshot and db:restore refusals', function () {
  this.timeout(120_000);
  let work: string;
  let dataDir: string;
  let snapshotDir: string;

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'starlight-snap-refusals-'));
    dataDir = path.join(work, 'data');
    snapshotDir = path.join(work, 'snapshot');
    const database = await startEmbeddedFerretDb({ binary: process.env.TEST_FERRETDB_BIN ?? (await ensureFerretDbBinary(logger)), dataDir, port: 0, logger });
    try {
      await connectMongoose(database.uri, { autoIndex: false, dbName: 'starlight' });
      await mongoose.connection.db!.collection('things').insertOne({ name: '一' });
    } finally {
      await mongoose.disconnect();
      await database.stop();
    }
    await snapshotDataDir({ dataDir, outDir: snapshotDir, logger });
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('runs as npm run db:snapshot and npm run db:restore', async () => {
    const script = (name: string, args: string[], env: Record<string, string> = {}) => run(process.execPath, ['--import', 'tsx', `scripts/${name}.ts`, ...args], { cwd: path.resolve(import.meta.dirname, '../..'), env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', ...env } });
    const taken = await script('db-snapshot', ['--data-dir', dataDir, '--out', path.join(work, 'cli-snapshot')]);
    expect(taken.stdout, taken.stdout).to.match(/ferretdb\/starlight\.sqlite: 1 documents in \d+ collections/);
    const restoredTo = await script('db-restore', ['--from', path.join(work, 'cli-snapshot'), '--data-dir', path.join(work, 'cli-restored')]);
    expect(restoredTo.stdout).to.match(/restored into/);
    expect(await readFile(path.join(work, 'cli-restored', 'ferretdb', 'starlight.sqlite'))).to.deep.equal(await readFile(path.join(work, 'cli-snapshot', 'ferretdb', 'starlight.sqlite')));
    // On MongoDB the command points to mongodump instead of copying some local folder.
    const refused = await script('db-snapshot', ['--out', path.join(work, 'cli-other')], { MONGODB_URI: 'mongodb://db1,db2,db3/starlight?replicaSet=rs0' }).then(() => null, (error: { code: number; stderr: string }) => error);
    expect(refused?.code).to.equal(2);
    expect(refused?.stderr).to.match(/mongodump --oplog/);
  });

  it('refuses to snapshot into a folder that is not empty, or a folder without a database', async () => {
    await expectRejection(snapshotDataDir({ dataDir, outDir: snapshotDir, logger }), /is not empty/);
    await expectRejection(snapshotDataDir({ dataDir: path.join(work, 'nothing'), outDir: path.join(work, 'other'), logger }), /no embedded database/);
  });

  it('refuses to restore over data, from a folder that is no snapshot, or from an altered snapshot', async () => {
    await expectRejection(restoreSnapshot({ fromDir: snapshotDir, dataDir, logger }), /is not empty/);
    await expectRejection(restoreSnapshot({ fromDir: dataDir, dataDir: path.join(work, 'new-1'), logger }), /is not a snapshot/);
    const file = path.join(snapshotDir, 'ferretdb', 'starlight.sqlite');
    const bytes = await readFile(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    await writeFile(file, bytes);
    await expectRejection(restoreSnapshot({ fromDir: snapshotDir, dataDir: path.join(work, 'new-2'), logger }), /differs from the snapshot's manifest/);
  });
});

async function expectRejection(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(() => null, (caught: unknown) => caught as Error);
  expect(error, `expected a rejection matching ${String(message)}`).to.be.instanceOf(Error);
  expect(error!.message).to.match(message);
}
