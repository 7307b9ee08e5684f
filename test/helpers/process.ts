/**
 * Real server processes for process-level tests: spawn `node bin/dukaan.js serve`, read its output, find its
 * workers, talk to it over real HTTP, and kill every process group it started, whatever happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export { freePort, waitFor } from '../../deploy/lib/proc.js';
import { sleep, waitFor } from '../../deploy/lib/proc.js';

/** pids of the live (not zombie) children of `parentPid`, read from /proc. */
export function childPids(parentPid: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // it exited while we looked
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === parentPid && fields[0] !== 'Z') pids.push(Number(entry));
  }
  return pids.sort((a, b) => a - b);
}

export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One GET on a connection of its own (no keep-alive pool), so the primary hands it to a worker afresh. */
export function getFresh(url: string, timeoutMs = 10_000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

/** Resolves true when a TCP connection to the port is refused, false when it is accepted. */
export function connectionRefused(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? resolve(true) : reject(err)));
  });
}

export interface StreamStats {
  ok: number;
  failed: number;
  /** Each failure: when it was sent and when it failed (ms since epoch), and what. */
  failures: { startedAt: number; at: number; what: string }[];
}

/**
 * `concurrency` clients, each sending GETs one after another over keep-alive connections (global fetch), until
 * stopped. A failure is a request that threw (reset, refused) or answered 5xx.
 */
export function startStream(
  baseUrl: string,
  paths: string[],
  concurrency: number,
  pauseMs = 5,
): { stop(): Promise<StreamStats>; stats: StreamStats } {
  const stats: StreamStats = { ok: 0, failed: 0, failures: [] };
  let stopped = false;
  let n = 0;
  async function client() {
    while (!stopped) {
      const p = paths[n++ % paths.length]!;
      const startedAt = Date.now();
      try {
        const res = await fetch(baseUrl + p, { signal: AbortSignal.timeout(15_000) });
        await res.arrayBuffer();
        if (res.status >= 500) {
          stats.failed++;
          stats.failures.push({ startedAt, at: Date.now(), what: `${res.status} on ${p}` });
        } else stats.ok++;
      } catch (err) {
        stats.failed++;
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        stats.failures.push({
          startedAt,
          at: Date.now(),
          what: `${p}: ${String(err)}${cause ? ` (${cause.code ?? ''} ${cause.message ?? ''})` : ''}`,
        });
      }
      if (pauseMs) await sleep(pauseMs);
    }
  }
  const clients = Array.from({ length: concurrency }, () => client());
  return {
    stats,
    async stop() {
      stopped = true;
      await Promise.all(clients);
      return stats;
    },
  };
}

export interface ServerProcess {
  pid: number;
  port: number;
  baseUrl: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** The JSON log lines so far (pino), parsed; other lines are skipped. */
  logs(): Array<Record<string, unknown> & { msg?: string; level?: number }>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Polls GET /healthz on fresh connections until it answers 200. */
  waitForHealthy(timeoutMs?: number): Promise<void>;
  workerPids(): number[];
  signal(sig: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to the whole process group, then waits for the primary to be gone. */
  kill(): Promise<void>;
}

const spawned = new Set<ServerProcess>();

/** Variables that must come only from the test, never from the environment the tests run in. */
const CLEARED = [
  'DATABASE_URL',
  'DATA_DIR',
  'PORT',
  'HOST',
  'WEB_CONCURRENCY',
  'SHUTDOWN_TIMEOUT_MS',
  'LOG_LEVEL',
  'DUKAAN_TEST_ROUTES',
  'TEST_DB',
  'RATE_LIMIT_PER_IP',
];

/** Starts `node bin/dukaan.js serve` (or `start`) in a process group of its own. */
export function spawnServer(opts: {
  port: number;
  env: Record<string, string | undefined>;
  command?: 'serve' | 'start';
}): ServerProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CLEARED) delete env[name];
  Object.assign(
    env,
    { HOST: '127.0.0.1', PORT: String(opts.port), LOG_LEVEL: 'warn', DUKAAN_TEST_ROUTES: '1', OTP_CONSOLE: '1' },
    opts.env,
  );
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin/dukaan.js'), opts.command ?? 'serve'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const pid = child.pid!;
  const baseUrl = `http://127.0.0.1:${opts.port}`;

  const proc: ServerProcess = {
    pid,
    port: opts.port,
    baseUrl,
    output: () => out,
    logs() {
      const lines: Array<Record<string, unknown>> = [];
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          /* a line cut in the middle of a write */
        }
      }
      return lines;
    },
    async waitForOutput(pattern, timeoutMs = 60_000) {
      await waitFor(
        `output matching ${pattern}`,
        () => {
          if (pattern.test(out)) return true;
          if (gone) throw new Error(`the server exited; output:\n${out}`);
          return false;
        },
        timeoutMs,
      );
    },
    async waitForHealthy(timeoutMs = 60_000) {
      await waitFor(
        `${baseUrl}/healthz`,
        async () => {
          if (gone) throw new Error(`the server exited; output:\n${out}`);
          const res = await getFresh(`${baseUrl}/healthz`, 5_000).catch(() => null);
          return res?.status === 200;
        },
        timeoutMs,
        100,
      );
    },
    // Only the node workers: tsx may also have an esbuild service process running under the primary.
    workerPids: () => childPids(pid).filter((p) => commandLine(p).includes('dukaan.js')),
    signal(sig) {
      process.kill(pid, sig);
    },
    exited,
    async kill() {
      spawned.delete(proc);
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* the group is already gone */
      }
      await Promise.race([exited, sleep(5_000)]);
    },
  };
  spawned.add(proc);
  return proc;
}

/** For afterEach/afterAll: kills every server process group this file started and has not killed yet. */
export async function killAllServers(): Promise<void> {
  await Promise.all([...spawned].map((p) => p.kill()));
}
