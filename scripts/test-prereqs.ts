/**
 * `npm test`'s pretest: makes sure what the suite drives is there before a single test runs, so a fresh machine
 * gets one clear sentence instead of dozens of failures.
 *
 * - Debian programs: nginx and openssl (process tests), chromium (browser tests), the PostgreSQL server binaries,
 *   pgbackrest, patroni, etcd-server, haproxy and pgbouncer (database process tests), fonts-noto-core (PDF bills).
 *   Missing and running as root with apt-get: installed (`apt-get install -y …`). Otherwise it stops at once and
 *   prints the one command that installs them.
 * - PostgreSQL at TEST_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres): when nothing answers
 *   on a local address, it starts a private cluster there from Debian's binaries (initdb + pg_ctl, trust auth, no
 *   fsync: throwaway test data) in $TMPDIR/dukaan-test-pg, and leaves it running for the next `npm test`.
 *
 *   npx tsx scripts/test-prereqs.ts           check, install, start (what pretest runs)
 *   npx tsx scripts/test-prereqs.ts --stop    stop the private cluster this script started
 *
 * DUKAAN_TEST_PREREQS=0 skips it all (a machine set up some other way).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ADMIN_URL = new URL(process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const PG_HOME = path.join(os.tmpdir(), 'dukaan-test-pg');
const PG_DATA = path.join(PG_HOME, 'data');

interface Tool {
  name: string;
  /** Debian package that provides it. */
  pkg: string;
  found: () => boolean;
}

const onPath =
  (cmd: string, extra: string[] = []) =>
  () =>
    extra.some((p) => fs.existsSync(p)) ||
    (process.env.PATH ?? '').split(':').some((dir) => dir && fs.existsSync(path.join(dir, cmd)));

/** As deploy/lib/pg-cluster.ts looks for them (not imported here: this check must answer within a second). */
const hasPgBin = () => {
  const dirs = process.env.PG_BIN ? [process.env.PG_BIN] : [];
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) for (const v of fs.readdirSync(root)) dirs.push(path.join(root, v, 'bin'));
  return dirs.some((d) => fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl')));
};

const TOOLS: Tool[] = [
  { name: 'nginx', pkg: 'nginx', found: onPath('nginx', [process.env.NGINX_BIN ?? '', '/usr/sbin/nginx']) },
  { name: 'openssl', pkg: 'openssl', found: onPath('openssl') },
  {
    name: 'chromium',
    pkg: 'chromium',
    found: onPath('chromium', [process.env.CHROMIUM_PATH ?? '', '/usr/bin/chromium']),
  },
  { name: 'PostgreSQL server (initdb, pg_ctl)', pkg: 'postgresql', found: hasPgBin },
  // The database process tests: backups and point-in-time restore, the ha topology's failover.
  { name: 'pgbackrest', pkg: 'pgbackrest', found: onPath('pgbackrest', [process.env.PGBACKREST_BIN ?? '']) },
  { name: 'patroni', pkg: 'patroni', found: onPath('patroni', [process.env.PATRONI_BIN ?? '']) },
  { name: 'etcd', pkg: 'etcd-server', found: onPath('etcd', [process.env.ETCD_BIN ?? '']) },
  { name: 'haproxy', pkg: 'haproxy', found: onPath('haproxy', [process.env.HAPROXY_BIN ?? '', '/usr/sbin/haproxy']) },
  // Transaction pooling in front of PostgreSQL (test/process/pgbouncer.test.ts).
  { name: 'pgbouncer', pkg: 'pgbouncer', found: onPath('pgbouncer', ['/usr/sbin/pgbouncer']) },
  // Devanagari glyphs for the PDF bill (src/bills): without them Hindi bills print in a fallback font.
  { name: 'Noto fonts', pkg: 'fonts-noto-core', found: () => fs.existsSync('/usr/share/fonts/truetype/noto') },
];

function say(line: string): void {
  process.stderr.write(`pretest: ${line}\n`);
}

function fail(line: string): never {
  say(line);
  process.exit(1);
}

function installMissing(): void {
  const missing = TOOLS.filter((t) => !t.found());
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((t) => t.pkg))];
  const command = `apt-get update && apt-get install -y ${pkgs.join(' ')}`;
  const sudoCommand = `sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}`;
  const names = missing.map((t) => t.name).join(', ');
  const canApt = process.getuid?.() === 0 && onPath('apt-get')();
  if (!canApt) fail(`missing ${names}. Install with:\n\n    ${sudoCommand}\n`);
  say(`missing ${names}: running ${command}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env });
  } catch {
    fail(`apt-get could not install ${pkgs.join(' ')}; run it yourself:\n\n    ${command}\n`);
  }
  const still = missing.filter((t) => !t.found());
  if (still.length) fail(`still missing after apt-get: ${still.map((t) => t.name).join(', ')}`);
}

function answers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function ensurePostgres(): Promise<void> {
  const host = ADMIN_URL.hostname;
  const port = Number(ADMIN_URL.port || 5432);
  if (await answers(host, port)) return;
  if (!['127.0.0.1', 'localhost', '::1'].includes(host))
    fail(`nothing answers at ${host}:${port} (TEST_PG_ADMIN_URL); start that server, or unset TEST_PG_ADMIN_URL`);
  say(`nothing answers on ${host}:${port}; starting a private PostgreSQL there (data in ${PG_DATA})`);
  const { createPgCluster } = await import('../deploy/lib/pg-cluster.js');
  const cluster = await createPgCluster({
    dataDir: PG_DATA,
    port,
    logFile: path.join(PG_HOME, 'postgres.log'),
    ephemeral: true,
    maxConnections: 300,
  });
  try {
    await cluster.start();
  } catch (err) {
    fail(`could not start it (${(err as Error).message.split('\n')[0]}); see ${cluster.logFile}`);
  }
  say(`PostgreSQL is up on ${host}:${port}; it keeps running for the next run. Stop it with:`);
  say('    npx tsx scripts/test-prereqs.ts --stop');
}

if (process.argv.includes('--stop')) {
  const { stopClusterNow } = await import('../deploy/lib/pg-cluster.js');
  stopClusterNow(PG_DATA);
  say(`stopped the private PostgreSQL in ${PG_DATA} (if it was running)`);
} else if (process.env.DUKAAN_TEST_PREREQS !== '0') {
  installMissing();
  await ensurePostgres();
}
