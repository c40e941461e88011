import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { TEST_ENV } from './app.ts';
import { testDatabaseUri } from './database.ts';

/*
 * The real service as a child process — `node --import tsx src/server.ts`, exactly what `npm start`
 * runs after building the console — on a database of the test run's server named in MONGODB_URI.
 * Every process of one test shares the secrets of TEST_ENV (what one encrypts, another decrypts).
 * Its pino JSON log is read line by line: the test waits on events ('catch-up finished') instead of
 * sleeping, and keeps the last lines to show when something fails.
 */

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  port: number;
  /** Resolves with the first log line whose `msg` matches; rejects if the process exits first. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** The last log lines, for failure messages. */
  tail(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
}

/** MONGODB_URI for a database of the test run's server. */
export function uriForDatabase(dbName: string): string {
  const base = testDatabaseUri();
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]*)\/?[^?]*(\?.*)?$/.exec(base);
  if (!match) throw new Error(`cannot put a database name into ${base}`);
  return `${match[1]}/${dbName}${match[2] ?? ''}`;
}

const running = new Set<ServiceProcess>();

export async function startServiceProcess(name: string, dbName: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'starlight-proc-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.tmpdir(),
      ...TEST_ENV,
      DATA_DIR: dataDir,
      MONGODB_URI: uriForDatabase(dbName),
      HOST: '127.0.0.1',
      PORT: '0',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: Record<string, unknown>) => void }[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, signal });
    });
  });
  const remember = (line: string) => {
    lines.push(line);
    if (lines.length > 60) lines.shift();
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    remember(line);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const waiter of [...waiters]) {
      if (!waiter.pattern.test(String(parsed.msg ?? ''))) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(parsed);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => remember(`[stderr] ${line}`));
  let isRunning = true;
  void exited.then(() => {
    isRunning = false;
  });

  const service: ServiceProcess = {
    name,
    child,
    port: 0,
    exited,
    isRunning: () => isRunning,
    tail: () => lines.join('\n'),
    waitForLog(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no log line matching ${String(pattern)} within ${timeoutMs} ms\n${service.tail()}`)), timeoutMs);
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code ?? signal}) before logging ${String(pattern)}\n${service.tail()}`));
        });
        waiters.push({ pattern, resolve: (line) => { clearTimeout(timer); resolve(line); } });
      });
    },
  };
  running.add(service);
  void exited.then(() => running.delete(service));
  const listening = await service.waitForLog(/^Starlight Care listening/);
  service.port = Number(listening.port);
  return service;
}

/** SIGKILL: no shutdown hook, no lease release, no final run record — a crash. */
export async function killServiceProcess(service: ServiceProcess): Promise<void> {
  if (!service.isRunning()) return;
  service.child.kill('SIGKILL');
  await service.exited;
}

/** SIGTERM and wait for the graceful shutdown (SIGKILL after the timeout). */
export async function stopServiceProcess(service: ServiceProcess, timeoutMs = 20_000): Promise<void> {
  if (!service.isRunning()) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), timeoutMs);
  await service.exited;
  clearTimeout(timer);
}

/** For `after` hooks: whatever happened, no child outlives its test file. */
export async function killAllServiceProcesses(): Promise<void> {
  await Promise.all([...running].map((service) => killServiceProcess(service)));
}
