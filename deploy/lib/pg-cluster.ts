/**
 * A PostgreSQL server of our own: its own data directory and port, made with initdb and run with pg_ctl
 * (Debian's binaries), so starting and stopping it disturbs no other PostgreSQL on the machine.
 * As root, the binaries run as the `postgres` user (PostgreSQL refuses to run as root).
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PgClusterOptions {
  dataDir: string;
  port: number;
  /** Server log; defaults to `<dataDir>/../postgres.log`. */
  logFile?: string;
  /**
   * For throwaway test clusters only: no fsync, no synchronous commit. A crash may lose data, which a
   * production cluster (split/lb topologies) must never do, so they leave this off.
   */
  ephemeral?: boolean;
  maxConnections?: number;
  /** More server settings (`-c name=value` at start), e.g. WAL archiving for backups (deploy/lib/pgbackrest.ts). */
  settings?: Record<string, string>;
}

export interface PgCluster {
  readonly dataDir: string;
  readonly port: number;
  readonly logFile: string;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database?: string): string;
  /**
   * The same database over the cluster's Unix socket (its data directory): `postgres://postgres@localhost:<port>/
   * <database>?host=<dataDir>`, which node-postgres and libpq both read. For a client on the same machine.
   */
  socketUrl(database?: string): string;
  start(): Promise<void>;
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  isRunning(): Promise<boolean>;
  createDatabase(name: string): Promise<void>;
  /** Stops it (immediately) and deletes the data directory. */
  destroy(): Promise<void>;
}

/** The directory holding initdb/pg_ctl: $PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. */
export function findPgBin(): string {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const versions = fs
      .readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(path.join(root, v, 'bin'));
  }
  const found = candidates.find(
    (dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')),
  );
  if (!found) {
    throw new Error(
      `initdb/pg_ctl not found (looked in ${candidates.join(', ') || root}). Install the PostgreSQL server ` +
        '(Debian: apt-get install -y postgresql) or set PG_BIN to the directory holding initdb and pg_ctl.',
    );
  }
  return found;
}

export interface RunAs {
  uid: number;
  gid: number;
  /** Prefix for commands: [] when we already are that user. */
  prefix: string[];
}

/** Who runs PostgreSQL's programs (and pgBackRest): the `postgres` user when we are root, else ourselves. */
export async function postgresUser(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, prefix: [] };
  const { stdout: uid } = await run('id', ['-u', 'postgres']).catch(() => {
    throw new Error(
      'running as root, but there is no "postgres" user to run PostgreSQL as ' +
        '(apt-get install -y postgresql creates it)',
    );
  });
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()), prefix: ['runuser', '-u', 'postgres', '--'] };
}

export async function runPg(as: RunAs, bin: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const [cmd, ...rest] = [...as.prefix, bin, ...args];
  try {
    const { stdout, stderr } = await run(cmd!, rest, { timeout: timeoutMs, cwd: '/' });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${path.basename(bin)} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** Makes every directory on the way to `dir` traversable by the postgres user (mkdtemp makes 0700 ones). */
export function openPathTo(dir: string): void {
  let current = path.resolve(dir);
  const chain: string[] = [];
  while (current !== path.dirname(current)) {
    chain.push(current);
    current = path.dirname(current);
  }
  for (const p of chain) {
    try {
      const st = fs.statSync(p);
      if ((st.mode & 0o001) === 0 && st.uid === process.getuid?.()) fs.chmodSync(p, st.mode | 0o011);
    } catch {
      // Not there yet or not ours: initdb will say what is wrong.
    }
  }
}

/** Creates (initdb) the cluster if its data directory is empty, else uses the one there. Does not start it. */
export async function createPgCluster(opts: PgClusterOptions): Promise<PgCluster> {
  const bin = findPgBin();
  const as = await postgresUser();
  const dataDir = path.resolve(opts.dataDir);
  const logFile = path.resolve(opts.logFile ?? path.join(path.dirname(dataDir), 'postgres.log'));
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  openPathTo(path.dirname(dataDir));
  openPathTo(path.dirname(logFile));
  if (as.prefix.length) {
    fs.chownSync(dataDir, as.uid, as.gid);
    if (!fs.existsSync(logFile)) fs.writeFileSync(logFile, '');
    fs.chownSync(logFile, as.uid, as.gid);
  }
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await runPg(as, path.join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      ...(opts.ephemeral ? ['--no-sync'] : []),
    ]);
  }
  const serverOptions = [
    `-p ${opts.port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dataDir}`,
    `-c max_connections=${opts.maxConnections ?? 200}`,
    ...(opts.ephemeral ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
    ...Object.entries(opts.settings ?? {}).map(([k, v]) => `-c ${shellQuote(`${k}=${v}`)}`),
  ].join(' ');
  const pgCtl = path.join(bin, 'pg_ctl');

  const cluster: PgCluster = {
    dataDir,
    port: opts.port,
    logFile,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${opts.port}/${database}`,
    socketUrl: (database = 'postgres') =>
      `postgres://postgres@localhost:${opts.port}/${database}?host=${encodeURIComponent(dataDir)}`,
    async start() {
      await runPg(as, pgCtl, ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
    },
    async stop(mode = 'fast') {
      if (!(await cluster.isRunning())) return;
      await runPg(as, pgCtl, ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
    },
    async isRunning() {
      try {
        await runPg(as, pgCtl, ['-D', dataDir, 'status'], 10_000);
        return true;
      } catch {
        return false;
      }
    },
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
        throw new Error(`database name "${name}" must be a lower-case identifier`);
      await createDatabaseIfMissing(cluster.url('postgres'), name);
    },
    async destroy() {
      try {
        await cluster.stop('immediate');
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
  return cluster;
}

/** pg_ctl hands `-o` to a shell: one argument, quoted. */
function shellQuote(s: string): string {
  return /^[\w=./:,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** CREATE DATABASE unless it exists, through an admin connection (`adminUrl` names any existing database). */
export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name "${name}" must be a lower-case identifier`);
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

/**
 * Stops a cluster at once, synchronously (`pg_ctl stop -m immediate`): for process-exit handlers, where nothing
 * asynchronous runs any more. Does nothing when it is not running.
 */
export function stopClusterNow(dataDir: string): void {
  if (!fs.existsSync(path.join(dataDir, 'postmaster.pid'))) return;
  const pgCtl = path.join(findPgBin(), 'pg_ctl');
  const [cmd, ...args] = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', pgCtl] : [pgCtl];
  try {
    execFileSync(cmd!, [...args, '-D', dataDir, '-m', 'immediate', '-w', 'stop'], {
      stdio: 'ignore',
      timeout: 20_000,
      cwd: '/',
    });
  } catch {
    // Already gone, or nothing more we can do on the way out.
  }
}
