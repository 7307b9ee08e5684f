/**
 * Brings one of dukaan's deployment topologies up on this machine, and down again.
 *
 *   npm run topology -- up single|split|lb [--app-servers 3] [--balance least_conn] [--port 8443] ...
 *   npm run topology -- down [--purge]
 *   npm run topology -- status | reload | balance round_robin|least_conn
 *
 * single: nginx (TLS) → one worker pool → PostgreSQL on this machine (127.0.0.1:5432, database dukaan_single).
 * split:  the same, with PostgreSQL as a server of its own (own data directory and port, initdb/pg_ctl).
 * lb:     nginx balancing n worker pools (app1..appN, each on its own port) → one PostgreSQL of its own.
 * ha:     nginx → 2 worker pools → HAProxy → PostgreSQL primary + synchronous standby run by Patroni (+ etcd):
 *         automatic failover (deploy/lib/ha.ts).
 *
 * Everything it starts — nginx with its own config/pid/logs, the pools, PostgreSQL — lives under the run dir
 * (default /tmp/dukaan-topology, or $DUKAAN_TOPOLOGY_DIR), described by state.json there. See deploy/README.md.
 */
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { APP_ASSET_DIR, renderNginxConfig, type Balance } from './nginx/render.js';
import { createDatabaseIfMissing, createPgCluster } from './lib/pg-cluster.js';
import { archiveSettings, stanzaCreate, writeBackupConfig } from './lib/pgbackrest.js';
import { haDataDir, haMembers, haNodeDir, haPorts, startHa, stopHa, type HaMember, type HaState } from './lib/ha.js';
import {
  findNginx,
  nginxMasterPid,
  nginxWorkerUser,
  reloadNginx,
  startNginx,
  stopNginx,
  testNginxConfig,
  type NginxInstance,
} from './lib/nginx.js';
import {
  childPids,
  groupMembers,
  httpStatus,
  isAlive,
  portIsFree,
  signalGroup,
  sleep,
  spawnDetached,
  tail,
  waitFor,
} from './lib/proc.js';
import { makeSelfSignedCert } from './lib/tls.js';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_RUN_DIR = process.env.DUKAAN_TOPOLOGY_DIR || '/tmp/dukaan-topology';
export type TopologyName = 'single' | 'split' | 'lb' | 'ha';

export interface AppServerState {
  name: string;
  port: number;
  /** The pool's primary; also its process group id (the workers are in the same group). */
  pid: number;
  log: string;
  webConcurrency: number;
}

export interface PostgresState {
  url: string;
  /** Started by this script (split/lb without --database-url): stopped by `down`. */
  managed: boolean;
  dataDir?: string;
  port?: number;
  log?: string;
  /** pgBackRest configuration (backup.json + pgbackrest.conf) of this server: `npm run db -- backup` uses it. */
  backupDir?: string;
}

export interface TopologyState {
  topology: TopologyName;
  runDir: string;
  url: string;
  httpUrl: string | null;
  balance: Balance;
  startedAt: string;
  tls: { cert: string; key: string };
  nginx: NginxInstance & { httpsPort: number; httpPort: number | null; staticRoot: string | null; accessLog: string };
  postgres: PostgresState;
  servers: AppServerState[];
  /** The ha topology's database tier (etcd, Patroni nodes, HAProxy). */
  ha?: HaState;
}

export interface UpOptions {
  topology: TopologyName;
  runDir: string;
  appServers: number;
  balance: Balance;
  httpsPort: number;
  httpPort: number | null;
  appPort: number;
  webConcurrency: number;
  databaseUrl: string | null;
  pgPort: number;
  /** Throwaway PostgreSQL without fsync (tests only). */
  pgFast: boolean;
  staticRoot: string | null;
  trustProxy: string | null;
  /** Extra environment for every app server (`--env KEY=VALUE`). */
  env: Record<string, string>;
  /** ha: storefront reads on the standby (HAProxy on pgPort+7 → DATABASE_REPLICA_URLS of every app server). */
  readReplicas: boolean;
  /** Progress lines go here. */
  say: (line: string) => void;
}

export function defaultUpOptions(topology: TopologyName, overrides: Partial<UpOptions> = {}): UpOptions {
  return {
    topology,
    runDir: DEFAULT_RUN_DIR,
    appServers: topology === 'lb' ? 3 : topology === 'ha' ? 2 : 1,
    balance: 'round_robin',
    httpsPort: 8443,
    httpPort: 8080,
    appPort: 3001,
    webConcurrency: 2,
    databaseUrl: null,
    pgPort: 5433,
    pgFast: false,
    staticRoot: path.join(PROJECT_ROOT, APP_ASSET_DIR),
    trustProxy: '127.0.0.1',
    env: {},
    readReplicas: false,
    say: (line) => process.stdout.write(`${line}\n`),
    ...overrides,
  };
}

const stateFile = (runDir: string) => path.join(runDir, 'state.json');

export function readState(runDir = DEFAULT_RUN_DIR): TopologyState | null {
  try {
    return JSON.parse(fs.readFileSync(stateFile(runDir), 'utf8')) as TopologyState;
  } catch {
    return null;
  }
}

function writeState(state: TopologyState): void {
  fs.writeFileSync(stateFile(state.runDir), JSON.stringify(state, null, 2) + '\n');
}

function anythingRunning(state: TopologyState): boolean {
  return (
    nginxMasterPid(state.nginx) !== null ||
    state.servers.some((s) => groupMembers(s.pid).length > 0) ||
    (state.ha ? [state.ha.etcd.pid, state.ha.proxyPid, ...state.ha.nodes.map((n) => n.patroniPid)] : []).some(
      (pid) => pid > 0 && groupMembers(pid).length > 0,
    )
  );
}

/** The environment of the app servers: ours, without the test runner's own variables. */
function appEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VITEST') || k === 'TEST_DB' || k === 'NODE_ENV') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** The database named in `url` exists afterwards (created through the same server's `postgres` database). */
async function ensureDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.end();
    return;
  } catch (err) {
    await client.end().catch(() => {});
    if ((err as { code?: string }).code !== '3D000')
      throw new Error(`cannot reach PostgreSQL at ${redact(url)}: ${(err as Error).message}`);
  }
  const admin = new URL(url);
  const name = decodeURIComponent(admin.pathname.slice(1));
  admin.pathname = '/postgres';
  await createDatabaseIfMissing(admin.toString(), name);
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}

/**
 * The pool's workers: the primary's children that run dukaan (tsx may add an esbuild service process of its own
 * as another child, which is not a worker).
 */
export function poolWorkers(primaryPid: number): number[] {
  return childPids(primaryPid).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dukaan.js');
    } catch {
      return false;
    }
  });
}

/** Starts one worker pool (`node bin/dukaan.js serve`) in its own process group. */
export function startAppServer(opts: {
  name: string;
  port: number;
  databaseUrl: string;
  webConcurrency: number;
  trustProxy: string | null;
  publicUrl: string;
  dataDir: string;
  logFile: string;
  env?: Record<string, string>;
}): AppServerState {
  const env = appEnv({
    PORT: String(opts.port),
    HOST: '127.0.0.1',
    DATABASE_URL: opts.databaseUrl,
    WEB_CONCURRENCY: String(opts.webConcurrency),
    SERVER_NAME: opts.name,
    PUBLIC_URL: opts.publicUrl,
    DATA_DIR: opts.dataDir,
    // Trials on one machine: sign-in codes on the terminal (a real deployment configures OTP_SMS_URL or WhatsApp).
    OTP_CONSOLE: '1',
    ...(opts.trustProxy ? { TRUST_PROXY: opts.trustProxy } : {}),
    ...opts.env,
  });
  if (!opts.trustProxy) delete env.TRUST_PROXY;
  const pid = spawnDetached(process.execPath, [path.join(PROJECT_ROOT, 'bin/dukaan.js'), 'serve'], {
    env,
    logFile: opts.logFile,
    cwd: PROJECT_ROOT,
  });
  return { name: opts.name, port: opts.port, pid, log: opts.logFile, webConcurrency: opts.webConcurrency };
}

/** Resolves when the pool answers /readyz with all its workers forked; throws (with its log) if it died. */
export async function waitForAppServer(server: AppServerState, timeoutMs = 90_000): Promise<void> {
  await waitFor(
    `${server.name} on port ${server.port} to be ready`,
    async () => {
      if (!isAlive(server.pid))
        throw new Error(`${server.name} exited; its log (${server.log}) ends with:\n${tail(server.log)}`);
      return (
        (await httpStatus(`http://127.0.0.1:${server.port}/readyz`)) === 200 &&
        poolWorkers(server.pid).length >= server.webConcurrency
      );
    },
    timeoutMs,
    200,
  ).catch((err: Error) => {
    if (err.message.includes('exited;')) throw err;
    throw new Error(`${err.message}\n${server.name}'s log (${server.log}) ends with:\n${tail(server.log)}`);
  });
}

/** SIGTERM to the pool (its primary drains every worker), SIGKILL to the whole group if it lingers. */
export async function stopAppServer(server: AppServerState, timeoutMs = 20_000): Promise<void> {
  if (groupMembers(server.pid).length === 0) return;
  if (isAlive(server.pid)) process.kill(server.pid, 'SIGTERM');
  else signalGroup(server.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && groupMembers(server.pid).length > 0) await sleep(100);
  signalGroup(server.pid, 'SIGKILL');
  await waitFor(`${server.name} to be gone`, () => groupMembers(server.pid).length === 0, 5000, 50);
}

/**
 * Rolling reload: SIGHUP to each pool in turn; the next one only once every worker of this one has been
 * replaced. nginx keeps sending to the other pools meanwhile.
 */
export async function rollingReload(state: TopologyState, say: (line: string) => void = () => {}): Promise<void> {
  for (const server of state.servers) {
    const before = poolWorkers(server.pid);
    process.kill(server.pid, 'SIGHUP');
    await waitFor(
      `${server.name} to replace its workers`,
      () => {
        const now = poolWorkers(server.pid);
        return now.length >= server.webConcurrency && now.every((p) => !before.includes(p));
      },
      120_000,
      100,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message} (workers before ${before.join(',')}, now ${poolWorkers(server.pid).join(',')}; see \
${server.log})`,
      );
    });
    await waitFor(
      `${server.name} to be ready again`,
      async () => (await httpStatus(`http://127.0.0.1:${server.port}/readyz`)) === 200,
      30_000,
    );
    say(`reloaded ${server.name} (workers ${before.join(',')} → ${poolWorkers(server.pid).join(',')})`);
  }
}

function httpsStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, servername: 'localhost', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function nginxInstance(runDir: string): NginxInstance {
  return {
    conf: path.join(runDir, 'nginx.conf'),
    prefix: runDir,
    errorLog: path.join(runDir, 'logs', 'nginx-error.log'),
    pidFile: path.join(runDir, 'nginx.pid'),
  };
}

async function writeNginxConfig(state: TopologyState): Promise<void> {
  const text = renderNginxConfig({
    mode: 'full',
    runDir: state.runDir,
    logDir: path.join(state.runDir, 'logs'),
    cacheDir: path.join(state.runDir, 'cache'),
    user: await nginxWorkerUser(),
    upstreams: state.servers.map((s) => `127.0.0.1:${s.port}`),
    balance: state.balance,
    tlsCert: state.tls.cert,
    tlsKey: state.tls.key,
    listenHttps: `127.0.0.1:${state.nginx.httpsPort}`,
    listenHttp: state.nginx.httpPort === null ? null : `127.0.0.1:${state.nginx.httpPort}`,
    staticRoot: state.nginx.staticRoot,
  });
  fs.writeFileSync(state.nginx.conf, text);
}

/** Re-renders nginx's config with another algorithm and reloads it (no request is dropped). */
export async function setBalance(runDir: string, balance: Balance): Promise<TopologyState> {
  const state = readState(runDir);
  if (!state) throw new Error(`no topology is up in ${runDir}`);
  state.balance = balance;
  await writeNginxConfig(state);
  await testNginxConfig(state.nginx);
  await reloadNginx(state.nginx);
  writeState(state);
  return state;
}

export async function up(opts: UpOptions): Promise<TopologyState> {
  const say = opts.say;
  findNginx(); // fail before starting anything when nginx is missing
  if (!['single', 'split', 'lb', 'ha'].includes(opts.topology))
    throw new Error(`unknown topology "${opts.topology}" (single, split, lb or ha)`);
  if (opts.topology !== 'lb' && opts.topology !== 'ha' && opts.appServers !== 1)
    throw new Error(`${opts.topology} has one app server; use lb or ha for more`);
  if (!Number.isInteger(opts.appServers) || opts.appServers < 1 || opts.appServers > 32)
    throw new Error('--app-servers must be 1..32');
  const runDir = path.resolve(opts.runDir);
  const existing = readState(runDir);
  if (existing && anythingRunning(existing))
    throw new Error(`a ${existing.topology} topology is already up in ${runDir}; run "npm run topology -- down" first`);

  fs.mkdirSync(path.join(runDir, 'logs'), { recursive: true });
  fs.chmodSync(runDir, 0o755);
  const ports = [opts.httpsPort, ...(opts.httpPort === null ? [] : [opts.httpPort])];
  for (let i = 0; i < opts.appServers; i++) ports.push(opts.appPort + i);
  if (opts.readReplicas && (opts.topology !== 'ha' || opts.databaseUrl))
    throw new Error('--read-replicas is for the ha topology with its own databases (its standby serves the reads)');
  if (opts.topology === 'ha' && !opts.databaseUrl)
    for (let i = 0; i < (opts.readReplicas ? 8 : 7); i++) ports.push(opts.pgPort + i);
  for (const port of ports)
    if (!(await portIsFree(port))) throw new Error(`port ${port} is in use (see --port, --http-port, --app-port)`);

  const tls = await makeSelfSignedCert(path.join(runDir, 'tls'));
  const url = `https://localhost${opts.httpsPort === 443 ? '' : `:${opts.httpsPort}`}/`;
  const state: TopologyState = {
    topology: opts.topology,
    runDir,
    url,
    httpUrl: opts.httpPort === null ? null : `http://localhost:${opts.httpPort}/`,
    balance: opts.balance,
    startedAt: new Date().toISOString(),
    tls,
    nginx: {
      ...nginxInstance(runDir),
      httpsPort: opts.httpsPort,
      httpPort: opts.httpPort,
      staticRoot: opts.staticRoot,
      accessLog: path.join(runDir, 'logs', 'access.log'),
    },
    postgres: { url: '', managed: false },
    servers: [],
  };
  writeState(state);

  try {
    // The database.
    if (opts.databaseUrl) {
      state.postgres = { url: opts.databaseUrl, managed: false };
    } else if (opts.topology === 'ha') {
      const ports = haPorts(opts.pgPort);
      const backupCfg = await writeBackupConfig({
        dir: path.join(runDir, 'backup'),
        pgDataDir: haDataDir(runDir, 0),
        pgPort: ports.pg[0]!,
        pgSocketDir: haNodeDir(runDir, 0),
        others: [{ dataDir: haDataDir(runDir, 1), port: ports.pg[1]!, socketDir: haNodeDir(runDir, 1) }],
      });
      state.ha = await startHa({
        runDir,
        basePort: opts.pgPort,
        fast: opts.pgFast,
        parameters: archiveSettings(backupCfg),
        replicaPort: opts.readReplicas ? opts.pgPort + 7 : undefined,
        say,
      });
      state.postgres = {
        url: `postgres://postgres@127.0.0.1:${state.ha.proxyPort}/dukaan`,
        managed: false,
        backupDir: path.join(runDir, 'backup'),
      };
      writeState(state);
      await stanzaCreate(backupCfg);
      say(`WAL archiving into ${backupCfg.repoPath} (pgBackRest stanza ${backupCfg.stanza}); npm run db -- backup`);
    } else if (opts.topology === 'single') {
      state.postgres = { url: 'postgres://postgres@127.0.0.1:5432/dukaan_single', managed: false };
    } else {
      const dataDir = path.join(runDir, 'pgdata');
      const log = path.join(runDir, 'logs', 'postgres.log');
      const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
      if (!(await portIsFree(opts.pgPort)))
        throw new Error(`port ${opts.pgPort} is in use; choose another with --pg-port`);
      say(`${fresh ? 'creating' : 'reusing'} a PostgreSQL server in ${dataDir} on port ${opts.pgPort}`);
      // Continuous WAL archiving into a pgBackRest repository from the first start (deploy/README.md, backups).
      const backupDir = path.join(runDir, 'backup');
      const backupCfg = await writeBackupConfig({ dir: backupDir, pgDataDir: dataDir, pgPort: opts.pgPort });
      const cluster = await createPgCluster({
        dataDir,
        port: opts.pgPort,
        logFile: log,
        ephemeral: opts.pgFast,
        maxConnections: 300,
        settings: archiveSettings(backupCfg),
      });
      state.postgres = { url: cluster.url('dukaan'), managed: true, dataDir, port: opts.pgPort, log, backupDir };
      writeState(state);
      await cluster.start();
      await stanzaCreate(backupCfg);
      say(`WAL archiving into ${backupCfg.repoPath} (pgBackRest stanza ${backupCfg.stanza}); npm run db -- backup`);
    }
    writeState(state);
    await ensureDatabase(state.postgres.url);

    // The app servers.
    const dataDir = path.join(runDir, 'data'); // shared by every app server: uploads must be seen by all
    fs.mkdirSync(dataDir, { recursive: true });
    for (let i = 1; i <= opts.appServers; i++) {
      const name = `app${i}`;
      const server = startAppServer({
        name,
        port: opts.appPort + i - 1,
        databaseUrl: state.postgres.url,
        webConcurrency: opts.webConcurrency,
        trustProxy: opts.trustProxy,
        publicUrl: url.replace(/\/$/, ''),
        dataDir,
        logFile: path.join(runDir, 'logs', `${name}.log`),
        env: state.ha?.replicaPort
          ? { DATABASE_REPLICA_URLS: `postgres://postgres@127.0.0.1:${state.ha.replicaPort}/dukaan`, ...opts.env }
          : opts.env,
      });
      state.servers.push(server);
      writeState(state);
      say(`started ${name} (pool pid ${server.pid}, ${opts.webConcurrency} workers) on 127.0.0.1:${server.port}`);
      // The first pool migrates the database; the others start once it is ready.
      if (i === 1) await waitForAppServer(server);
    }
    await Promise.all(state.servers.slice(1).map((s) => waitForAppServer(s)));

    // nginx in front, serving the app's hashed assets from disk.
    if (state.nginx.staticRoot) {
      const { writeAssets } = await import('../src/web/assets.js');
      writeAssets(state.nginx.staticRoot);
    }
    await writeNginxConfig(state);
    await testNginxConfig(state.nginx);
    const masterPid = await startNginx(state.nginx);
    writeState(state);
    // End to end once: TLS with the new certificate, nginx, a worker.
    const ca = fs.readFileSync(tls.cert, 'utf8');
    await waitFor(
      'https://…/healthz through nginx',
      async () => (await httpsStatus(`https://127.0.0.1:${opts.httpsPort}/healthz`, ca)) === 200,
      10_000,
      100,
    );
    say(`started nginx (master pid ${masterPid}, ${state.balance}) on https://127.0.0.1:${opts.httpsPort}`);
    return state;
  } catch (err) {
    say(`up failed: ${(err as Error).message}`);
    say('taking down what was started');
    await down(runDir, { purge: false, say });
    throw err;
  }
}

export async function down(
  runDir = DEFAULT_RUN_DIR,
  opts: { purge?: boolean; say?: (line: string) => void } = {},
): Promise<boolean> {
  const say = opts.say ?? ((line: string) => process.stdout.write(`${line}\n`));
  const state = readState(runDir);
  if (!state) {
    if (opts.purge) fs.rmSync(runDir, { recursive: true, force: true });
    return false;
  }
  const errors: string[] = [];
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      errors.push(`${what}: ${(err as Error).message}`);
    }
  };
  await attempt('nginx', async () => {
    await stopNginx(state.nginx);
    say('stopped nginx');
  });
  await Promise.all(
    state.servers.map((s) =>
      attempt(s.name, async () => {
        await stopAppServer(s);
        say(`stopped ${s.name}`);
      }),
    ),
  );
  if (state.ha) {
    const ha = state.ha;
    await attempt('ha', async () => {
      await stopHa(ha);
      say(`stopped HAProxy, Patroni (${ha.nodes.map((n) => n.name).join(', ')}) and etcd`);
    });
  }
  if (state.postgres.managed && state.postgres.dataDir && state.postgres.port) {
    await attempt('postgres', async () => {
      const cluster = await createPgCluster({
        dataDir: state.postgres.dataDir!,
        port: state.postgres.port!,
        logFile: state.postgres.log,
      });
      await cluster.stop('fast');
      say(`stopped PostgreSQL (${opts.purge ? 'data deleted' : `data kept in ${state.postgres.dataDir}`})`);
    });
  }
  if (errors.length) throw new Error(`down left something behind:\n${errors.join('\n')}`);
  if (opts.purge) fs.rmSync(runDir, { recursive: true, force: true });
  else fs.rmSync(stateFile(runDir), { force: true });
  return true;
}

export function describe(state: TopologyState): string {
  const lines = [
    '',
    `dukaan ${state.topology} topology is up`,
    `  open:        ${state.url}   (self-signed certificate: ${state.tls.cert})`,
    ...(state.httpUrl ? [`  plain http:  ${state.httpUrl} (redirects to https)`] : []),
    `  nginx:       ${state.balance}, config ${state.nginx.conf}`,
    `  app servers: ${state.servers.map((s) => `${s.name}=127.0.0.1:${s.port} (pid ${s.pid})`).join(', ')}`,
    `  PostgreSQL:  ${redact(state.postgres.url)}${state.postgres.managed ? ` (data ${state.postgres.dataDir})` : ''}`,
    `  logs:        ${path.join(state.runDir, 'logs')}/ (access.log, nginx-error.log, \
${state.servers.map((s) => path.basename(s.log)).join(', ')}${state.postgres.managed ? ', postgres.log' : ''})`,
    `  stop:        npm run topology -- down${state.runDir === DEFAULT_RUN_DIR ? '' : ` --run-dir ${state.runDir}`}`,
    '',
  ];
  return lines.join('\n');
}

/** `status --json`: the app servers, the databases with their role, the public URL. */
export async function statusJson(runDir: string): Promise<{
  servers: { name: string; pid: number; port: number; workers: number[] }[];
  databases: HaMember[];
  url: string;
} | null> {
  const state = readState(runDir);
  if (!state) return null;
  const servers = state.servers.map((s) => ({
    name: s.name,
    pid: s.pid,
    port: s.port,
    workers: isAlive(s.pid) ? poolWorkers(s.pid) : [],
  }));
  let databases: HaMember[] = [];
  if (state.ha) databases = await haMembers(state.ha);
  else if (state.postgres.managed && state.postgres.dataDir && state.postgres.port) {
    let pid: number | null = null;
    try {
      pid = Number(fs.readFileSync(path.join(state.postgres.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (!isAlive(pid)) pid = null;
    } catch {
      pid = null;
    }
    databases = [{ name: 'postgres', role: pid ? 'primary' : 'down', pid, port: state.postgres.port }];
  }
  return { servers, databases, url: state.url };
}

function status(runDir: string): string {
  const state = readState(runDir);
  if (!state) return `no topology is up in ${runDir}\n`;
  const lines = [describe(state)];
  lines.push(`  nginx master: ${nginxMasterPid(state.nginx) ?? 'not running'}`);
  for (const s of state.servers) {
    lines.push(
      `  ${s.name}: ${
        isAlive(s.pid)
          ? `primary ${s.pid}, workers \
${poolWorkers(s.pid).join(', ') || 'none'}`
          : 'not running'
      }`,
    );
  }
  return lines.join('\n') + '\n';
}

const USAGE = `usage:
  npm run topology -- up single|split|lb|ha [options] bring a topology up (see deploy/README.md)
      --app-servers N        lb/ha: number of app servers (default 3 for lb, 2 for ha)
      --balance ALG          round_robin (default) or least_conn
      --port P               nginx HTTPS port (default 8443); --http-port P (default 8080, "off" for none)
      --app-port P           first app server port (default 3001; app N listens on P+N-1)
      --web-concurrency N    workers per app server (default $WEB_CONCURRENCY or 2)
      --database-url URL     use this PostgreSQL instead of the topology's own
      --pg-port P            split/lb: port of the PostgreSQL server it starts (default 5433); ha: HAProxy's
                             port, then P+1, P+2 PostgreSQL, P+3, P+4 Patroni REST, P+5, P+6 etcd
      --read-replicas        ha: storefront reads on the standby (HAProxy P+7 → the app's DATABASE_REPLICA_URLS)
      --static-root DIR      what nginx serves as /static/ (default src/web/assets/dist; "off": proxy and cache)
      --trust-proxy ADDRS    the app's TRUST_PROXY (default 127.0.0.1, nginx's address; "off" for none)
      --env KEY=VALUE        extra environment for every app server (repeatable)
      --run-dir DIR          where state, logs and data live (default ${DEFAULT_RUN_DIR})
  npm run topology -- down [--purge]                 stop everything (--purge also deletes data and logs)
  npm run topology -- status [--json]                what is running (--json: servers, databases and roles, url)
  npm run topology -- reload                         rolling reload: SIGHUP to each pool in turn
  npm run topology -- balance round_robin|least_conn switch nginx's algorithm (graceful reload)
`;

function toInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be an integer, got "${raw}"`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'app-servers': { type: 'string' },
      balance: { type: 'string' },
      port: { type: 'string' },
      'http-port': { type: 'string' },
      'app-port': { type: 'string' },
      'web-concurrency': { type: 'string' },
      'database-url': { type: 'string' },
      'pg-port': { type: 'string' },
      'pg-fast': { type: 'boolean' },
      'read-replicas': { type: 'boolean' },
      'static-root': { type: 'string' },
      'trust-proxy': { type: 'string' },
      'run-dir': { type: 'string' },
      env: { type: 'string', multiple: true },
      purge: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, arg] = positionals;
  if (command === 'status' && values.json) {
    const s = await statusJson(path.resolve(values['run-dir'] ?? DEFAULT_RUN_DIR));
    if (!s) throw new Error('no topology is up');
    process.stdout.write(`${JSON.stringify(s)}\n`);
    return;
  }
  const runDir = path.resolve(values['run-dir'] ?? DEFAULT_RUN_DIR);
  const balanceOf = (raw: string | undefined): Balance => {
    const b = raw ?? 'round_robin';
    if (b !== 'round_robin' && b !== 'least_conn')
      throw new Error(`--balance must be round_robin or least_conn, got "${b}"`);
    return b;
  };
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return;
  }
  if (command === 'up') {
    if (arg !== 'single' && arg !== 'split' && arg !== 'lb' && arg !== 'ha')
      throw new Error('usage: topology up single|split|lb|ha [options]');
    const env: Record<string, string> = {};
    for (const pair of values.env ?? []) {
      const eq = pair.indexOf('=');
      if (eq < 1) throw new Error(`--env takes KEY=VALUE, got "${pair}"`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const defaults = defaultUpOptions(arg);
    const trust = values['trust-proxy'];
    const state = await up(
      defaultUpOptions(arg, {
        runDir,
        appServers: toInt('--app-servers', values['app-servers'], defaults.appServers),
        balance: balanceOf(values.balance),
        httpsPort: toInt('--port', values.port, defaults.httpsPort),
        httpPort: values['http-port'] === 'off' ? null : toInt('--http-port', values['http-port'], 8080),
        appPort: toInt('--app-port', values['app-port'], defaults.appPort),
        webConcurrency: toInt(
          '--web-concurrency',
          values['web-concurrency'],
          Number(process.env.WEB_CONCURRENCY) || defaults.webConcurrency,
        ),
        databaseUrl: values['database-url'] ?? null,
        pgPort: toInt('--pg-port', values['pg-port'], defaults.pgPort),
        pgFast: values['pg-fast'] ?? false,
        staticRoot:
          values['static-root'] === 'off'
            ? null
            : values['static-root']
              ? path.resolve(values['static-root'])
              : defaults.staticRoot,
        trustProxy: trust === undefined ? defaults.trustProxy : trust === 'off' || trust === '' ? null : trust,
        env,
        readReplicas: values['read-replicas'] ?? false,
      }),
    );
    process.stdout.write(describe(state));
  } else if (command === 'down') {
    const had = await down(runDir, { purge: values.purge ?? false });
    if (!had) process.stdout.write(`no topology was up in ${runDir}\n`);
  } else if (command === 'status') {
    process.stdout.write(status(runDir));
  } else if (command === 'reload') {
    const state = readState(runDir);
    if (!state) throw new Error(`no topology is up in ${runDir}`);
    await rollingReload(state, (line) => process.stdout.write(`${line}\n`));
  } else if (command === 'balance') {
    const state = await setBalance(runDir, balanceOf(arg));
    process.stdout.write(`nginx now balances with ${state.balance}\n`);
  } else {
    throw new Error(`unknown command "${command}" (up, down, status, reload, balance)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`topology: ${err.message}\n`);
    process.exitCode = 1;
  });
}

export const TOPOLOGY_SCRIPT = fileURLToPath(import.meta.url);
