import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const REQUIREMENTS = path.join(PROJECT_ROOT, 'scripts', 'fuzz', 'requirements.txt');
/** Project-local and git-ignored: the Python tool never touches the system's site-packages. */
export const VENV_DIR = path.join(PROJECT_ROOT, '.venv');
const PYTHON = path.join(VENV_DIR, 'bin', 'python');
export const ST = path.join(VENV_DIR, 'bin', 'st');

async function pinnedVersion(): Promise<string> {
  const line = (await readFile(REQUIREMENTS, 'utf8')).split('\n').find((l) => l.startsWith('schemathesis=='));
  if (!line) throw new Error(`${REQUIREMENTS} must pin schemathesis==<version>`);
  return line.slice('schemathesis=='.length).trim();
}

async function installedVersion(): Promise<string | null> {
  if (!existsSync(PYTHON) || !existsSync(ST)) return null;
  try {
    const { stdout } = await run(PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("schemathesis"))']);
    return stdout.trim();
  } catch {
    return null;
  }
}

/**
 * Creates .venv and installs the pinned Schemathesis from PyPI, unless the pinned version is
 * already there (then it costs one `python -c`). Needs only python3 with the venv module.
 */
export async function ensureSchemathesis(log: (line: string) => void = () => {}): Promise<string> {
  const wanted = await pinnedVersion();
  if ((await installedVersion()) === wanted) return ST;
  log(`installing schemathesis ${wanted} into ${VENV_DIR} (once)`);
  if (!existsSync(PYTHON)) await run('python3', ['-m', 'venv', VENV_DIR]);
  await run(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS], { maxBuffer: 16 * 1024 * 1024 });
  const got = await installedVersion();
  if (got !== wanted) throw new Error(`schemathesis ${wanted} was not installed (found ${got ?? 'none'})`);
  return ST;
}

export interface StRun {
  exitCode: number;
  output: string;
}

/** Runs `st` with these arguments in `cwd` (where it keeps its crash cache) and keeps its output. */
export function runSt(args: string[], cwd: string): Promise<StRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(ST, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const chunks: string[] = [];
    const collect = (chunk: Buffer) => chunks.push(chunk.toString('utf8'));
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? 1, output: chunks.join('') }));
  });
}
