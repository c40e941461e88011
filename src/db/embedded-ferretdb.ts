import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../shared/logger.ts';

export interface EmbeddedDatabase {
  uri: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

interface StartOptions {
  binary: string;
  dataDir: string;
  port: number;
  logger: Logger;
}

// FerretDB runs under a tiny sh guard that holds our stdin: when this process ends for any reason
// (SIGTERM, a crash, even SIGKILL) the pipe closes, `read` returns and the guard stops FerretDB.
// That is what keeps a killed service from leaving an orphan database holding the SQLite files.
const GUARD_SCRIPT = 'exec 3<&0; "$@" </dev/null & child=$!; (read -r _ <&3; kill -TERM "$child" 2>/dev/null) & wait "$child"';

/** Starts FerretDB (SQLite backend) on 127.0.0.1 with its data under `dataDir`. */
export async function startEmbeddedFerretDb({ binary, dataDir, port, logger }: StartOptions): Promise<EmbeddedDatabase> {
  const sqliteDir = path.join(dataDir, 'ferretdb');
  const stateDir = path.join(dataDir, 'ferretdb-state');
  const pidFile = path.join(dataDir, 'ferretdb.pid');
  await mkdir(sqliteDir, { recursive: true });
  await mkdir(stateDir, { recursive: true });
  assertDataDirFree(pidFile, dataDir);

  const listenPort = port === 0 ? await findFreePort() : port;
  const args = [
    '--handler=sqlite',
    // WAL with synchronous=NORMAL: a commit survives the process being killed (what the crash
    // tests do), only an OS crash or power cut may lose the last commits. FULL (SQLite's default)
    // paid an fsync per write: single updates took 3× as long. Production runs on MongoDB.
    `--sqlite-url=file:${sqliteDir}/?_pragma=synchronous(NORMAL)`,
    `--state-dir=${stateDir}`,
    `--listen-addr=127.0.0.1:${listenPort}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=warn',
    // An insertMany goes to SQLite in transactions of this many documents (FerretDB's default 100):
    // settlement's 500 lines a batch in one, not five. A/B with `npm run bench:profile -- --job
    // settlement` at 2,000 / 20,000: line inserts 2.2–2.5 → 1.9 s; at district size within the
    // noise (BENCHMARKS.md). Overridable from the environment.
    `--test-batch-size=${process.env.FERRETDB_TEST_BATCH_SIZE ?? '1000'}`,
  ];
  // Go's collector took a fifth of FerretDB's CPU while streaming orders (pprof): a larger GOGC
  // made a scan ~40% faster for tens of MB more heap; GOMEMLIMIT keeps that bounded.
  const env = { ...process.env, GOGC: process.env.GOGC ?? '400', GOMEMLIMIT: process.env.GOMEMLIMIT ?? '1GiB' };
  // A process group of its own: Ctrl-C in a terminal (or any signal to the service's group) reaches
  // the service alone, which stops FerretDB itself once its requests have finished. In the
  // service's group FerretDB died with the signal under the requests still running (500s and an
  // "exited unexpectedly" error on every Ctrl-C). The guard still stops it if the service dies.
  const child = spawn('sh', ['-c', GUARD_SCRIPT, 'ferretdb-guard', binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env, detached: true });
  forwardOutput(child, logger);
  let exited = false;
  let stopping = false;
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => { exited = true; resolve(code); }));

  try {
    await waitForPort(listenPort, () => exited, 30_000);
  } catch (error) {
    child.stdin?.end();
    child.kill('SIGTERM');
    throw error;
  }
  await writeFile(pidFile, String(child.pid));
  logger.info({ port: listenPort, dataDir }, 'embedded FerretDB started');

  void exit.then((code) => {
    if (!stopping) logger.error({ code }, 'embedded FerretDB exited unexpectedly');
  });

  return {
    uri: `mongodb://127.0.0.1:${listenPort}/`,
    port: listenPort,
    pid: child.pid as number,
    async stop() {
      if (exited) return;
      stopping = true;
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
      await rm(pidFile, { force: true });
      logger.info('embedded FerretDB stopped');
    },
  };
}

// Two FerretDB processes on one SQLite folder would corrupt it: refuse to start while the one
// recorded in the pid file is still alive.
function assertDataDirFree(pidFile: string, dataDir: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return;
  }
  const commandLine = readCommandLine(pid);
  if (commandLine.includes('ferretdb')) {
    throw new Error(`The data folder ${dataDir} is in use by another embedded FerretDB (pid ${pid}). Stop that service first, or set DATA_DIR.`);
  }
}

function readCommandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

// FerretDB's warnings are mostly about client connections closing (every pool shutdown makes one);
// only its errors and panics are worth an operator's attention at the default level.
function forwardOutput(child: ChildProcess, logger: Logger): void {
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        const isError = /\t(ERROR|DPANIC|PANIC|FATAL)\t|^panic:/.test(line);
        logger[isError ? 'error' : 'debug']({ source: 'ferretdb' }, line.slice(0, 500));
      }
    });
  }
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, hasExited: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error('embedded FerretDB exited during start (see the log lines above)');
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`embedded FerretDB did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
