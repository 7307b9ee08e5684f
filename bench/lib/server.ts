/**
 * Starting and stopping the servers under test: dukaan's worker pool (`node bin/dukaan.js serve`, production mode)
 * and the bare-route ceiling (bench/bare-server.ts). Each is one child process of ours; we stop it by its pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../../deploy/lib/proc.js';
import { allStats, processTree } from './proc.js';

export interface ServerHandle {
  pid: number;
  url: string;
  /** Node processes directly under the primary (the pool's workers), as last seen. */
  workerPids(): number[];
  /** The last lines the server printed (for a report of why it failed). */
  logTail(): string;
  stop(): Promise<void>;
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

function keepTail(child: ChildProcess, lines: string[]): void {
  const push = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(line);
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', push);
  child.stderr?.on('data', push);
}

function workersOf(pid: number): number[] {
  const stats = allStats();
  return stats.filter((s) => s.ppid === pid && s.comm !== 'esbuild').map((s) => s.pid);
}

/** Waits until `check` passes (the one waitFor of the project); fails at once when the child exits first. */
async function untilReady(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  child: ChildProcess,
  tail: string[],
): Promise<void> {
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const died = new Promise<never>((_, reject) => {
    const fail = () =>
      reject(new Error(`the process exited (${child.exitCode ?? child.signalCode}) before it was ready`));
    if (exited()) fail();
    else child.once('exit', fail);
  });
  try {
    await Promise.race([waitFor(what, () => !exited() && check().catch(() => false), timeoutMs, 200), died]);
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}:\n${tail.slice(-30).join('\n')}`);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const tree = processTree(child.pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    for (const pid of tree.reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await exited;
  }
  // Workers left behind by a primary that died abruptly: only the ones we saw under our own child.
  for (const pid of tree) {
    try {
      process.kill(pid, 0);
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone, as it should be */
    }
  }
}

function handle(child: ChildProcess, url: string, tail: string[]): ServerHandle {
  return {
    pid: child.pid!,
    url,
    workerPids: () => workersOf(child.pid!),
    logTail: () => tail.join('\n'),
    stop: () => stopChild(child),
  };
}

/** Waits until `want` workers are up (a pool still being built may run as one process: then gives up quietly). */
async function settleWorkers(pid: number, want: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && workersOf(pid).length < want) await new Promise((r) => setTimeout(r, 200));
}

export async function startDukaan(opts: {
  /** null: the embedded database (PGlite) in DATA_DIR, as `npm start` runs it */
  databaseUrl: string | null;
  workers: number;
  port: number;
  /** more environment (the whatsapp scenario's Cloud API stand-in) */
  env?: Record<string, string>;
}): Promise<ServerHandle> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-bench-'));
  const tail: string[] = [];
  // BENCH_CPU_PROF=dir: every server process (primary and workers: they inherit execArgv) writes a V8 CPU profile
  // there when it stops (open in Chrome DevTools' Performance panel).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [...prof, path.join(ROOT, 'bin', 'dukaan.js'), 'serve'], {
    cwd: ROOT,
    env: {
      ...inherited,
      NODE_ENV: 'production',
      ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
      WEB_CONCURRENCY: String(opts.workers),
      LOG_LEVEL: 'warn',
      PORT: String(opts.port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      PUBLIC_URL: `http://127.0.0.1:${opts.port}`,
      // A benchmark on one machine: sign-in codes on the terminal (no real channel is configured).
      OTP_CONSOLE: '1',
      // BENCH_SERVER_NODE_OPTIONS: V8 flags for the server's processes only (the bench's own process is left as it is),
      // e.g. `--max-semi-space-size=32` to measure a young generation of another size.
      ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  keepTail(child, tail);
  const url = `http://127.0.0.1:${opts.port}`;
  await untilReady(async () => (await fetch(`${url}/readyz`)).status === 200, 60_000, 'dukaan serve', child, tail);
  await settleWorkers(child.pid!, opts.workers, 15_000);
  return handle(child, url, tail);
}

/** The HTTP ceiling: a bare Fastify route answering `body` with the same number of workers. */
export async function startBare(opts: {
  workers: number;
  port: number;
  body: string;
  contentType: string;
}): Promise<ServerHandle> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-bare-'));
  const bodyFile = path.join(dir, 'body');
  fs.writeFileSync(bodyFile, opts.body);
  const tail: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'bare-server.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      WEB_CONCURRENCY: String(opts.workers),
      PORT: String(opts.port),
      BARE_BODY_FILE: bodyFile,
      BARE_CONTENT_TYPE: opts.contentType,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  keepTail(child, tail);
  const url = `http://127.0.0.1:${opts.port}`;
  await untilReady(async () => (await fetch(`${url}/bare`)).status === 200, 30_000, 'bare server', child, tail);
  await settleWorkers(child.pid!, opts.workers, 15_000);
  return handle(child, url, tail);
}
