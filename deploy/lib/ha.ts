/**
 * The `ha` topology's database tier, from Debian's packages: etcd (the consensus store, `etcd-server`), two
 * PostgreSQL servers run by Patroni (`patroni`; a primary and a synchronous standby, automatic failover) and HAProxy
 * (`haproxy`) in front, whose health check asks Patroni's REST API `/primary` so its one address always leads to
 * the current primary. The app only knows HAProxy's address.
 *
 * As root, Patroni runs as the `postgres` user (it starts PostgreSQL itself, which refuses root); etcd and HAProxy
 * run as root on loopback only. Everything lives under `<runDir>/ha/`, logs under `<runDir>/logs/`.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import { findPgBin, openPathTo, postgresUser } from './pg-cluster.js';
import { groupMembers, isAlive, signalGroup, sleep, spawnDetached, tail, waitFor } from './proc.js';

export interface HaNode {
  name: string;
  /** PostgreSQL's port and Patroni's REST port. */
  port: number;
  restPort: number;
  dataDir: string;
  config: string;
  log: string;
  /** Patroni's pid (its process group: Patroni and the PostgreSQL it started). */
  patroniPid: number;
}

export interface HaState {
  scope: string;
  /** HAProxy: the app's database address (always the primary). */
  proxyPort: number;
  /** HAProxy's address of the standbys (Patroni /replica), for DATABASE_REPLICA_URLS; absent unless asked for. */
  replicaPort?: number;
  proxyPid: number;
  proxyConfig: string;
  etcd: { pid: number; clientPort: number; peerPort: number; dataDir: string; log: string };
  nodes: HaNode[];
}

export interface HaOptions {
  runDir: string;
  /** First of 7 consecutive ports: HAProxy, pg1, pg2, REST 1, REST 2, etcd client, etcd peer. */
  basePort: number;
  /** Throwaway (tests): fsync off. synchronous_commit stays on: the standby confirms every commit. */
  fast: boolean;
  /** More PostgreSQL parameters (WAL archiving for backups). */
  parameters?: Record<string, string>;
  /** Also a HAProxy listener on this port leading to a running standby (`--read-replicas`). */
  replicaPort?: number;
  say: (line: string) => void;
}

const ETCD_BIN = process.env.ETCD_BIN || '/usr/bin/etcd';
const PATRONI_BIN = process.env.PATRONI_BIN || '/usr/bin/patroni';
const HAPROXY_BIN = process.env.HAPROXY_BIN || '/usr/sbin/haproxy';

/** The three engines are installed, or one clear error naming the Debian packages. */
export function findHaBinaries(): void {
  const missing = [
    [ETCD_BIN, 'etcd-server'],
    [PATRONI_BIN, 'patroni'],
    [HAPROXY_BIN, 'haproxy'],
  ].filter(([bin]) => !fs.existsSync(bin!));
  if (missing.length)
    throw new Error(
      `the ha topology needs ${missing.map(([b]) => b).join(', ')} ` +
        `(Debian: apt-get install -y ${missing.map(([, p]) => p).join(' ')})`,
    );
}

/** A node's own directory: its data directory (`data`), its socket, pgpass and Patroni's HOME. */
export const haNodeDir = (runDir: string, index: number) => path.join(runDir, 'ha', `pg${index + 1}`);
export const haDataDir = (runDir: string, index: number) => path.join(haNodeDir(runDir, index), 'data');

export const haPorts = (base: number) => ({
  proxy: base,
  pg: [base + 1, base + 2],
  rest: [base + 3, base + 4],
  etcdClient: base + 5,
  etcdPeer: base + 6,
});

function yamlString(s: string): string {
  return JSON.stringify(s); // a JSON string is a valid YAML scalar
}

/** Patroni's configuration of one node (YAML). */
export function patroniConfig(o: {
  scope: string;
  name: string;
  port: number;
  restPort: number;
  etcdClientPort: number;
  dataDir: string;
  /**
   * Where PostgreSQL puts its unix socket: never inside dataDir. pg_rewind copies the new primary's data directory
   * file by file and stops at a socket it cannot read, so an old primary whose WAL ran ahead (asynchronous cart
   * commits the standby never got) could not rewind and was cloned afresh instead.
   */
  socketDir: string;
  pgpass: string;
  binDir: string;
  fast: boolean;
  parameters: Record<string, string>;
}): string {
  const params: Record<string, string> = {
    max_connections: '300',
    wal_level: 'replica',
    hot_standby: 'on',
    wal_log_hints: 'on',
    max_wal_senders: '10',
    max_replication_slots: '10',
    // Every commit waits until the synchronous standby has it on disk: an acknowledged order is on two servers.
    synchronous_commit: 'on',
    // Tests: no fsync. full_page_writes stays on: pg_rewind (an old primary rejoining) refuses to run without it.
    ...(o.fast ? { fsync: 'off' } : {}),
    ...o.parameters,
  };
  const lines = [
    '# Written by dukaan (deploy/lib/ha.ts): one Patroni node of the ha topology. See deploy/README.md.',
    `scope: ${o.scope}`,
    `name: ${o.name}`,
    'restapi:',
    `  listen: 127.0.0.1:${o.restPort}`,
    `  connect_address: 127.0.0.1:${o.restPort}`,
    'etcd3:',
    `  hosts: 127.0.0.1:${o.etcdClientPort}`,
    'bootstrap:',
    '  dcs:',
    // The leader key lives 20 s (Patroni's minimum); a crashed primary is failed over at once (see below).
    '    ttl: 20',
    '    loop_wait: 1',
    '    retry_timeout: 5',
    '    maximum_lag_on_failover: 1048576',
    // Prefer failing over to a standby over restarting a crashed primary in place.
    '    primary_start_timeout: 0',
    '    synchronous_mode: true',
    '    synchronous_mode_strict: false',
    '    postgresql:',
    '      use_pg_rewind: true',
    // When pg_rewind cannot bring the old primary in line, clone it afresh from the new one.
    '      remove_data_directory_on_rewind_failure: true',
    '      use_slots: true',
    '      parameters:',
    ...Object.entries(params).map(([k, v]) => `        ${k}: ${yamlString(v)}`),
    '  initdb:',
    '  - encoding: UTF8',
    '  - locale: C.UTF-8',
    '  pg_hba:',
    '  - local all all trust',
    '  - host replication all 127.0.0.1/32 trust',
    '  - host all all 127.0.0.1/32 trust',
    'postgresql:',
    `  listen: 127.0.0.1:${o.port}`,
    `  connect_address: 127.0.0.1:${o.port}`,
    `  data_dir: ${yamlString(o.dataDir)}`,
    `  bin_dir: ${yamlString(o.binDir)}`,
    `  pgpass: ${yamlString(o.pgpass)}`,
    '  authentication:',
    '    superuser:',
    '      username: postgres',
    '    replication:',
    '      username: postgres',
    '    rewind:',
    '      username: postgres',
    '  parameters:',
    `    unix_socket_directories: ${yamlString(o.socketDir)}`,
    '  pg_hba:',
    '  - local all all trust',
    '  - host replication all 127.0.0.1/32 trust',
    '  - host all all 127.0.0.1/32 trust',
    'tags:',
    '  nofailover: false',
    '  noloadbalance: false',
    '  clonefrom: false',
    '',
  ];
  return lines.join('\n');
}

/**
 * HAProxy's configuration: one TCP frontend, the server whose Patroni answers 200 on /primary gets the traffic; with
 * `replicaPort`, a second one leading to the standbys (Patroni answers 200 on /replica on a running standby).
 */
export function haproxyConfig(o: {
  proxyPort: number;
  nodes: { name: string; port: number; restPort: number }[];
  pidFile: string;
  replicaPort?: number;
}): string {
  return [
    '# Written by dukaan (deploy/lib/ha.ts). See deploy/README.md, "The ha topology".',
    'global',
    '    maxconn 2000',
    `    pidfile ${o.pidFile}`,
    'defaults',
    '    mode tcp',
    '    retries 2',
    '    timeout connect 2s',
    '    timeout client 30m',
    '    timeout server 30m',
    '    timeout check 1s',
    'listen postgres_primary',
    `    bind 127.0.0.1:${o.proxyPort}`,
    '    option httpchk OPTIONS /primary',
    '    http-check expect status 200',
    // Checked every 500 ms; down after 2 failures, up after 1 success; a server marked down loses its sessions,
    // so no client keeps talking to a demoted primary.
    '    default-server inter 500ms fastinter 250ms downinter 500ms fall 2 rise 1 on-marked-down shutdown-sessions',
    ...o.nodes.map((n) => `    server ${n.name} 127.0.0.1:${n.port} maxconn 1000 check port ${n.restPort}`),
    ...(o.replicaPort === undefined
      ? []
      : [
          'listen postgres_replicas',
          `    bind 127.0.0.1:${o.replicaPort}`,
          '    balance leastconn',
          '    option httpchk OPTIONS /replica',
          '    http-check expect status 200',
          '    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions',
          ...o.nodes.map((n) => `    server ${n.name} 127.0.0.1:${n.port} maxconn 1000 check port ${n.restPort}`),
        ]),
    '',
  ].join('\n');
}

function httpGetJson(url: string, timeoutMs = 1000): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let body: unknown = null;
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** The PostgreSQL postmaster's pid of a data directory (null when it does not run). */
export function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

export interface HaMember {
  name: string;
  role: 'primary' | 'standby' | 'down';
  pid: number | null;
  port: number;
  /**
   * A standby's WAL receiver is streaming from the primary. False while it waits: a failed primary rejoining is in
   * recovery (a standby) before it follows, and one whose WAL ran ahead stays so until pg_rewind has run.
   */
  streaming?: boolean;
}

/** Who is what, asked of each PostgreSQL itself (pg_is_in_recovery), not of the consensus store. */
export async function haMembers(state: HaState): Promise<HaMember[]> {
  return Promise.all(
    state.nodes.map(async (n): Promise<HaMember> => {
      const pid = postmasterPid(n.dataDir);
      if (pid === null) return { name: n.name, role: 'down', pid: null, port: n.port };
      const client = new pg.Client({
        connectionString: `postgres://postgres@127.0.0.1:${n.port}/postgres`,
        connectionTimeoutMillis: 1000,
      });
      try {
        await client.connect();
        const { rows } = await client.query<{ r: boolean; streaming: boolean | null }>(
          "SELECT pg_is_in_recovery() AS r, (SELECT status = 'streaming' FROM pg_stat_wal_receiver) AS streaming",
        );
        const { r: inRecovery, streaming } = rows[0]!;
        return inRecovery
          ? { name: n.name, role: 'standby', pid, port: n.port, streaming: streaming === true }
          : { name: n.name, role: 'primary', pid, port: n.port };
      } catch {
        return { name: n.name, role: 'down', pid, port: n.port };
      } finally {
        await client.end().catch(() => {});
      }
    }),
  );
}

export async function startHa(opts: HaOptions): Promise<HaState> {
  findHaBinaries();
  const as = await postgresUser();
  const ports = haPorts(opts.basePort);
  const haDir = path.join(opts.runDir, 'ha');
  const logDir = path.join(opts.runDir, 'logs');
  fs.mkdirSync(haDir, { recursive: true });
  fs.mkdirSync(logDir, { recursive: true });
  openPathTo(haDir);
  const binDir = findPgBin();
  const scope = 'dukaan';
  const asPostgres = as.prefix.length ? ['setpriv', `--reuid=${as.uid}`, `--regid=${as.gid}`, '--init-groups'] : [];

  // etcd: a single member on loopback (production: three, on three hosts; deploy/README.md).
  const etcdData = path.join(haDir, 'etcd');
  const etcdLog = path.join(logDir, 'etcd.log');
  const etcdPid = spawnDetached(
    ETCD_BIN,
    [
      '--name',
      'etcd1',
      '--data-dir',
      etcdData,
      '--listen-client-urls',
      `http://127.0.0.1:${ports.etcdClient}`,
      '--advertise-client-urls',
      `http://127.0.0.1:${ports.etcdClient}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${ports.etcdPeer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${ports.etcdPeer}`,
      '--initial-cluster',
      `etcd1=http://127.0.0.1:${ports.etcdPeer}`,
    ],
    { env: process.env, logFile: etcdLog, cwd: haDir },
  );
  const state: HaState = {
    scope,
    proxyPort: ports.proxy,
    proxyPid: 0,
    proxyConfig: path.join(haDir, 'haproxy.cfg'),
    etcd: { pid: etcdPid, clientPort: ports.etcdClient, peerPort: ports.etcdPeer, dataDir: etcdData, log: etcdLog },
    nodes: [],
  };
  await waitFor(
    'etcd to answer',
    async () => {
      if (!isAlive(etcdPid)) throw new Error(`etcd exited:\n${tail(etcdLog)}`);
      return (await httpGetJson(`http://127.0.0.1:${ports.etcdClient}/health`)).status === 200;
    },
    30_000,
    200,
  );
  opts.say(`started etcd (pid ${etcdPid}) on 127.0.0.1:${ports.etcdClient}`);

  // Patroni nodes: the first bootstraps (initdb) and leads, the second clones it (pg_basebackup) and follows.
  for (let i = 0; i < 2; i++) {
    const name = `pg${i + 1}`;
    const nodeDir = haNodeDir(opts.runDir, i);
    fs.mkdirSync(nodeDir, { recursive: true, mode: 0o700 });
    fs.chownSync(nodeDir, as.uid, as.gid);
    const dataDir = haDataDir(opts.runDir, i);
    const config = path.join(haDir, `${name}.yml`);
    fs.writeFileSync(
      config,
      patroniConfig({
        scope,
        name,
        port: ports.pg[i]!,
        restPort: ports.rest[i]!,
        etcdClientPort: ports.etcdClient,
        dataDir,
        socketDir: nodeDir,
        pgpass: path.join(nodeDir, 'pgpass'),
        binDir,
        fast: opts.fast,
        parameters: opts.parameters ?? {},
      }),
    );
    const log = path.join(logDir, `patroni-${name}.log`);
    if (!fs.existsSync(log)) fs.writeFileSync(log, '');
    const [cmd, ...args] = [...asPostgres, PATRONI_BIN, config];
    const patroniPid = spawnDetached(cmd!, args, {
      env: { ...process.env, HOME: nodeDir },
      logFile: log,
      cwd: nodeDir,
    });
    const node: HaNode = { name, port: ports.pg[i]!, restPort: ports.rest[i]!, dataDir, config, log, patroniPid };
    state.nodes.push(node);
    const want = i === 0 ? 'primary' : 'standby';
    await waitFor(
      `${name} (Patroni) to run PostgreSQL as the ${want}`,
      async () => {
        if (!isAlive(patroniPid)) throw new Error(`Patroni ${name} exited:\n${tail(log)}`);
        const { status } = await httpGetJson(`http://127.0.0.1:${node.restPort}/${i === 0 ? 'primary' : 'replica'}`);
        return status === 200;
      },
      120_000,
      250,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${name}'s log (${log}) ends with:\n${tail(log)}`);
    });
    opts.say(`started Patroni ${name} (pid ${patroniPid}): PostgreSQL ${want} on 127.0.0.1:${node.port}`);
  }
  // The standby becomes synchronous once Patroni names it in synchronous_standby_names.
  await waitFor(
    'the standby to be synchronous',
    async () => {
      const { body } = await httpGetJson(`http://127.0.0.1:${state.nodes[0]!.restPort}/cluster`);
      const members = (body as { members?: { role: string }[] }).members ?? [];
      return members.some((m) => m.role === 'sync_standby');
    },
    60_000,
    250,
  );

  // HAProxy in front.
  const pidFile = path.join(haDir, 'haproxy.pid');
  state.replicaPort = opts.replicaPort;
  fs.writeFileSync(
    state.proxyConfig,
    haproxyConfig({ proxyPort: ports.proxy, nodes: state.nodes, pidFile, replicaPort: opts.replicaPort }),
  );
  state.proxyPid = spawnDetached(HAPROXY_BIN, ['-db', '-f', state.proxyConfig], {
    env: process.env,
    logFile: path.join(logDir, 'haproxy.log'),
    cwd: haDir,
  });
  await waitFor(
    'HAProxy to lead to the primary',
    async () => {
      if (!isAlive(state.proxyPid)) throw new Error(`haproxy exited:\n${tail(path.join(logDir, 'haproxy.log'))}`);
      const client = new pg.Client({
        connectionString: `postgres://postgres@127.0.0.1:${ports.proxy}/postgres`,
        connectionTimeoutMillis: 1000,
      });
      try {
        await client.connect();
        const { rows } = await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
        return rows[0]!.r === false;
      } finally {
        await client.end().catch(() => {});
      }
    },
    30_000,
    200,
  );
  opts.say(`started HAProxy (pid ${state.proxyPid}) on 127.0.0.1:${ports.proxy} → the primary`);
  return state;
}

async function stopGroup(pid: number, what: string, timeoutMs: number): Promise<void> {
  if (!pid || groupMembers(pid).length === 0) return;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && groupMembers(pid).length > 0) await sleep(100);
  signalGroup(pid, 'SIGKILL');
  await waitFor(`${what} to be gone`, () => groupMembers(pid).length === 0, 5000, 50);
}

/** HAProxy, then the standby(s), then the primary (Patroni stops its PostgreSQL on SIGTERM), then etcd. */
export async function stopHa(state: HaState): Promise<void> {
  await stopGroup(state.proxyPid, 'haproxy', 5000);
  const members = await haMembers(state).catch(() => []);
  const order = [...state.nodes].sort(
    (a, b) =>
      Number(members.find((m) => m.name === a.name)?.role === 'primary') -
      Number(members.find((m) => m.name === b.name)?.role === 'primary'),
  );
  for (const n of order) await stopGroup(n.patroniPid, `Patroni ${n.name}`, 60_000);
  // A PostgreSQL left behind by a killed Patroni (its own process group is Patroni's): stop it too.
  for (const n of state.nodes) {
    const pid = postmasterPid(n.dataDir);
    if (pid) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // gone
      }
    }
  }
  await stopGroup(state.etcd.pid, 'etcd', 10_000);
}

/** For exit handlers: kill everything at once, synchronously. */
export function killHaNow(state: HaState): void {
  for (const pid of [state.proxyPid, ...state.nodes.map((n) => n.patroniPid), state.etcd.pid])
    if (pid) signalGroup(pid, 'SIGKILL');
  for (const n of state.nodes) {
    const pid = postmasterPid(n.dataDir);
    if (pid) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // gone
      }
    }
  }
}
