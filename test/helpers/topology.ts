/**
 * Helpers for the topology process tests: run `npm run topology` (the real command), talk HTTPS to its nginx
 * from any loopback address (127.0.0.2, 127.0.0.3, … are distinct clients to nginx), and tear everything down.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT, readState, type TopologyState } from '../../deploy/topology.js';
import { childPids, freePortRange, groupMembers, isAlive, signalGroup } from '../../deploy/lib/proc.js';
import { nginxMasterPid } from '../../deploy/lib/nginx.js';
import { stopClusterNow } from '../../deploy/lib/pg-cluster.js';
import { killHaNow } from '../../deploy/lib/ha.js';

/** Run dirs with a topology up; killed if the test process exits without taking them down (a crash, a timeout). */
const liveRunDirs = new Set<string>();
process.once('exit', () => {
  for (const runDir of liveRunDirs) killTopologyNow(runDir);
});

function killTopologyNow(runDir: string): void {
  const state = readState(runDir);
  if (!state) return;
  const master = nginxMasterPid(state.nginx);
  if (master) {
    for (const pid of [master, ...childPids(master)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  for (const s of state.servers) signalGroup(s.pid, 'SIGKILL');
  if (state.postgres.managed && state.postgres.dataDir) stopClusterNow(state.postgres.dataDir);
  if (state.ha) killHaNow(state.ha);
}

const run = promisify(execFile);
const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const SCRIPT = path.join(PROJECT_ROOT, 'deploy', 'topology.ts');

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs `tsx deploy/topology.ts <args>` (what `npm run topology -- <args>` runs); throws with its output on failure. */
export async function topologyCommand(args: string[], timeoutMs = 180_000): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(TSX, [SCRIPT, ...args], {
      cwd: PROJECT_ROOT,
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { stdout, stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`topology ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

export interface Res<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: T;
  ms: number;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw body (Buffer/string) instead of JSON. */
  raw?: Buffer | string;
  timeoutMs?: number;
}

/** A keep-alive HTTPS client for one nginx, trusting its self-signed certificate, from one local address. */
export class HttpsClient {
  readonly agent: https.Agent;
  constructor(
    readonly base: URL,
    caOrAgent: string | https.Agent,
    readonly localAddress?: string,
    readonly token?: string,
  ) {
    this.agent =
      typeof caOrAgent === 'string'
        ? new https.Agent({
            ca: caOrAgent,
            keepAlive: true,
            maxSockets: 64,
            servername: 'localhost',
            ...(localAddress ? { localAddress } : {}),
          })
        : caOrAgent;
  }

  /** The same connections, signed in. */
  withToken(token: string): HttpsClient {
    return new HttpsClient(this.base, this.agent, this.localAddress, token);
  }

  request<T = any>(method: string, url: string, opts: RequestOptions = {}): Promise<Res<T>> {
    const started = Date.now();
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: Buffer | undefined;
    if (opts.raw !== undefined) payload = Buffer.from(opts.raw);
    else if (opts.body !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.body));
      headers['content-type'] ??= 'application/json';
    }
    if (payload) headers['content-length'] = String(payload.length);
    return new Promise((resolve, reject) => {
      const req = https.request(
        new URL(url, this.base),
        { method, headers, agent: this.agent, timeout: opts.timeoutMs ?? 60_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              body = undefined;
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers as Res['headers'],
              text,
              body: body as T,
              ms: Date.now() - started,
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  get<T = any>(url: string, headers?: Record<string, string>) {
    return this.request<T>('GET', url, { headers });
  }
  post<T = any>(url: string, body: unknown = {}, headers?: Record<string, string>) {
    return this.request<T>('POST', url, { body, headers });
  }
  put<T = any>(url: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', url, { body, headers });
  }
  patch<T = any>(url: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', url, { body, headers });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface TopologyRun {
  runDir: string;
  state: TopologyState;
  stdout: string;
  ca: string;
  /** A client of the nginx, connecting from `localAddress` (default 127.0.0.1). */
  client(localAddress?: string): HttpsClient;
  down(): Promise<void>;
}

/** Free ports for one topology: https, http, app servers (consecutive). */
export async function topologyPorts(appServers: number): Promise<{ https: number; http: number; app: number }> {
  const base = await freePortRange(2 + appServers, 20000, 40000);
  return { https: base, http: base + 1, app: base + 2 };
}

/**
 * `topology up <name> ...` into a fresh run dir on free ports. Always pair with `down()` in afterAll; if `up` itself
 * fails, it has already taken down what it started.
 */
export async function topologyUp(
  name: 'single' | 'split' | 'lb' | 'ha',
  extra: string[] = [],
  appServers = name === 'lb' ? 3 : name === 'ha' ? 2 : 1,
): Promise<TopologyRun> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `dukaan-topology-${name}-`));
  const ports = await topologyPorts(appServers);
  const args = [
    'up',
    name,
    '--run-dir',
    runDir,
    '--port',
    String(ports.https),
    '--http-port',
    String(ports.http),
    '--app-port',
    String(ports.app),
    ...extra,
  ];
  let stdout: string;
  try {
    ({ stdout } = await topologyCommand(args));
  } catch (err) {
    fs.rmSync(runDir, { recursive: true, force: true });
    throw err;
  }
  const state = readState(runDir);
  if (!state) throw new Error(`topology up wrote no state.json in ${runDir}`);
  liveRunDirs.add(runDir);
  const ca = fs.readFileSync(state.tls.cert, 'utf8');
  const clients: HttpsClient[] = [];
  const base = new URL(`https://127.0.0.1:${state.nginx.httpsPort}/`);
  return {
    runDir,
    state,
    stdout,
    ca,
    client(localAddress?: string) {
      const c = new HttpsClient(base, ca, localAddress);
      clients.push(c);
      return c;
    },
    async down() {
      for (const c of clients) c.close();
      await topologyCommand(['down', '--run-dir', runDir]);
      liveRunDirs.delete(runDir);
      // The last run's logs stay for a post-mortem (one folder per topology, replaced by the next run).
      const keep = path.join(os.tmpdir(), 'dukaan-topology-test-logs', path.basename(runDir).replace(/-[^-]+$/, ''));
      fs.rmSync(keep, { recursive: true, force: true });
      fs.mkdirSync(path.dirname(keep), { recursive: true });
      fs.renameSync(path.join(runDir, 'logs'), keep);
      fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/**
 * `count` loops of traffic, each calling `step(loop, i)` for i = 0, 1, … until `stop()`. The first loop to fail stops
 * them all; `ended()` resolves once every loop has ended and then throws that error (so it is never an unhandled
 * rejection while the test is busy killing something).
 */
export function trafficLoops(
  count: number,
  step: (loop: number, i: number) => Promise<void>,
): { stop(): void; ended(): Promise<void> } {
  let stopped = false;
  const errors: unknown[] = [];
  const loops = Array.from({ length: count }, async (_, loop) => {
    try {
      for (let i = 0; !stopped; i++) await step(loop, i);
    } catch (err) {
      errors.push(err);
      stopped = true;
    }
  });
  return {
    stop: () => {
      stopped = true;
    },
    async ended() {
      await Promise.all(loops);
      if (errors.length) throw errors[0];
    },
  };
}

/** True when no process of the topology (nginx, any pool) is left. */
export function nothingLeft(state: TopologyState): boolean {
  return (
    nginxMasterPid(state.nginx) === null &&
    state.servers.every((s) => groupMembers(s.pid).length === 0 && !isAlive(s.pid))
  );
}

/** Signs in through nginx with a number in OTP_TEST_NUMBERS (fixed code, never messaged). */
export async function signInThrough(client: HttpsClient, phone: string, code: string): Promise<HttpsClient> {
  const sent = await client.post('/api/v1/auth/otp', { phone });
  if (sent.status !== 202) throw new Error(`POST /auth/otp → ${sent.status} ${sent.text}`);
  const verified = await client.post('/api/v1/auth/verify', { phone, code });
  if (verified.status !== 200) throw new Error(`POST /auth/verify → ${verified.status} ${verified.text}`);
  return client.withToken(verified.body.token as string);
}

/**
 * Throws unless `res` has `status`. An answer 500 names a reference (the request id the app logged the error under):
 * with `serverLogs`, the lines of those logs that carry it go into the message, so a failure in CI, where the run's
 * logs are gone, still shows its cause.
 */
export function expectStatus(res: Res, status: number, what: string, serverLogs: readonly string[] = []): void {
  if (res.status === status) return;
  const reference = /Reference: ([0-9a-zA-Z-]+)/.exec(res.text)?.[1];
  const logged = reference ? linesWith(serverLogs, reference) : [];
  const cause = logged.length ? `\nlogged under ${reference}:\n${logged.join('\n')}` : '';
  throw new Error(`${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 500)}${cause}`);
}

/** The lines of `files` that hold `text` (at most 5, each cut to 4,000 characters); a missing file holds none. */
function linesWith(files: readonly string[], text: string): string[] {
  const found: string[] = [];
  for (const file of files) {
    let content: string;
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of content.split('\n'))
      if (line.includes(text)) found.push(`${path.basename(file)}: ${line.slice(0, 4000)}`);
  }
  return found.slice(0, 5);
}
