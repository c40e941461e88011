import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../src/db/embedded-ferretdb.ts';
import { TEST_ENV } from './support/app.ts';

// The real thing: `node --import tsx src/server.ts` (what `npm start` runs) with its own embedded
// FerretDB in a temp data folder, driven over HTTP and stopped with signals.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Processes whose command line mentions the folder: the embedded FerretDB and its guard. */
function processesUsing(folder: string): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(folder);
    } catch {
      return false;
    }
  }).map(Number);
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('the service process', function () {
  this.timeout(120_000);
  let dataDir: string;
  let port: number;
  let child: ChildProcess | undefined;
  let output = '';
  let admin = '';
  const login = async () => {
    const res = await fetch(url('/api/v1/auth/login'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'ops-admin', password: 'ops-admin-password' }) });
    expect(res.status).to.equal(200);
    admin = `Bearer ${((await res.json()) as { accessToken: string }).accessToken}`;
  };

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'starlight-server-'));
    port = await findFreePort();
  });
  after(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** `detached`: in a process group of its own, as `npm start` in a terminal is (Ctrl-C signals the whole group). */
  function startService(options: { detached?: boolean } = {}): ChildProcess {
    output = '';
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...TEST_ENV, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info',
      BOOTSTRAP_ADMIN_USERNAME: 'ops-admin', BOOTSTRAP_ADMIN_PASSWORD: 'ops-admin-password', SEED_DEMO: 'false' };
    if (process.env.TEST_FERRETDB_BIN) env.FERRETDB_BIN = process.env.TEST_FERRETDB_BIN;
    const started = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
    started.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    started.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    return started;
  }

  const url = (pathname: string) => `http://127.0.0.1:${port}${pathname}`;
  const untilReady = () => waitFor(async () => ((await fetch(url('/readyz'))).status === 200 ? true : undefined), 90_000, `readiness; output so far:\n${output}`);
  const exitOf = (proc: ChildProcess) => new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  it('starts on the embedded database: /readyz 200, /docs served offline, OpenAPI and metrics', async () => {
    child = startService();
    await untilReady();

    const docs = await fetch(url('/docs/'));
    const docsHtml = await docs.text();
    const init = await fetch(url('/docs/swagger-ui-init.js'));
    const openapi = await fetch(url('/api/v1/openapi.json'));
    const metrics = await (await fetch(url('/metrics'))).text();

    expect(docs.status).to.equal(200);
    expect(docsHtml).to.include('swagger-ui');
    expect(docsHtml).not.to.match(/https?:\/\/(cdn|unpkg|cdnjs)/);
    expect(await init.text()).to.include('/api/v1/openapi.json');
    expect(openapi.status).to.equal(200);
    expect(((await openapi.json()) as { openapi: string }).openapi).to.equal('3.1.0');
    expect(metrics).to.include('http_requests_total');
    expect(processesUsing(dataDir).length).to.be.at.least(1);
  });

  it('records work in the database, then stops on SIGTERM with its FerretDB and no orphan', async () => {
    await login();
    const run = await fetch(url('/api/v1/jobs/audit-verify/run?wait=true'), { method: 'POST', headers: { Authorization: admin, 'Content-Type': 'application/json' }, body: '{}' });
    expect(run.status).to.equal(200);

    const exited = exitOf(child!);
    child!.kill('SIGTERM');

    expect(await exited).to.equal(0);
    expect(output).to.include('embedded FerretDB stopped');
    await waitFor(async () => (processesUsing(dataDir).length === 0 ? true : undefined), 10_000, 'no process left on the data folder');
  });

  it('restarts on the same data folder and finds what it wrote before', async () => {
    child = startService();
    await untilReady();
    await login();

    const runs = (await (await fetch(url('/api/v1/jobs/runs?name=audit-verify'), { headers: { Authorization: admin } })).json()) as { total: number };
    const verify = (await (await fetch(url('/api/v1/audit/verify'), { headers: { Authorization: admin } })).json()) as { ok: boolean; checked: number };

    expect(runs.total).to.equal(1);
    // The bootstrap admin's creation, two logins and the job run are all in the chain.
    expect(verify.ok).to.equal(true);
    expect(verify.checked).to.be.at.least(3);
  });

  it('leaves no FerretDB behind even when the service is killed with SIGKILL', async () => {
    const exited = exitOf(child!);
    child!.kill('SIGKILL');
    await exited;
    child = undefined;

    await waitFor(async () => (processesUsing(dataDir).length === 0 ? true : undefined), 10_000, 'the guard to stop FerretDB');
  });

  it('stops on SIGTERM only after the requests still running have finished, even those whose clients left', async () => {
    child = startService();
    await untilReady();
    await login();
    // Requests the service has taken in, whose clients give up at once: their sockets are gone,
    // their handlers are not — the database must not close under them.
    const controllers = Array.from({ length: 60 }, () => new AbortController());
    const abandoned = controllers.map((controller) => fetch(url('/api/v1/audit?pageSize=50'), { headers: { Authorization: admin }, signal: controller.signal }).catch(() => null));
    await sleep(15); // taken in by the service, not answered yet
    const exited = exitOf(child);
    for (const controller of controllers) controller.abort();
    child.kill('SIGTERM');
    await Promise.all(abandoned);

    expect(await exited).to.equal(0);
    child = undefined;
    expect(output).to.not.match(/MongoClientClosedError|"statusCode":5\d\d/);
    expect(output).to.include('embedded FerretDB stopped');
  });

  it('stops quietly on Ctrl-C, the signal reaching its whole process group, with requests still running', async () => {
    child = startService({ detached: true });
    await untilReady();
    await login();
    const running = Array.from({ length: 20 }, () => fetch(url('/api/v1/audit?pageSize=50'), { headers: { Authorization: admin } }).then((res) => res.status, () => null));
    await sleep(15);
    const exited = exitOf(child);
    process.kill(-(child.pid as number), 'SIGINT');
    const statuses = await Promise.all(running);

    expect(await exited).to.equal(0);
    child = undefined;
    // The database is stopped by the service after its requests, not by the terminal's signal under them.
    expect(statuses.filter((status) => status !== null && status >= 500)).to.deep.equal([]);
    expect(output).to.not.match(/"level":(50|60)|exited unexpectedly|MongoClientClosedError/);
    expect(output).to.include('embedded FerretDB stopped');
    await waitFor(async () => (processesUsing(dataDir).length === 0 ? true : undefined), 10_000, 'no process left on the data folder');
  });
});
