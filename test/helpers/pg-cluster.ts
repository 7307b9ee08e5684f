/**
 * A private PostgreSQL cluster for one process-level test file: initdb'd into a temp dir, on a free port, so a test
 * may stop and restart it without disturbing the machine's PostgreSQL (127.0.0.1:5432) or anyone using it.
 * Missing initdb/pg_ctl is an error, never a skip.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createPgCluster,
  findPgBin,
  openPathTo,
  postgresUser,
  runPg,
  stopClusterNow,
  type PgCluster,
} from '../../deploy/lib/pg-cluster.js';
import { freePortRange } from '../../deploy/lib/proc.js';

export type { PgCluster };

export interface PrivatePg extends PgCluster {
  /** URL of the database `dukaan` (created). */
  readonly appUrl: string;
  /** The temp directory holding the data directory and the log (deleted by destroy). */
  readonly dir: string;
}

/** Clusters still running; stopped if the test process exits without destroying them (a crash, a timeout). */
const running = new Set<string>();
process.once('exit', () => {
  for (const dataDir of running) stopClusterNow(dataDir);
});

export async function startPrivatePg(
  opts: {
    maxConnections?: number;
    /** More server settings, computed once the directory and port are known (e.g. WAL archiving). */
    settings?: (where: { dir: string; dataDir: string; port: number }) => Promise<Record<string, string>>;
  } = {},
): Promise<PrivatePg> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-pg-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePortRange(1, 40000, 50000);
  const settings = opts.settings ? await opts.settings({ dir, dataDir: path.join(dir, 'data'), port }) : undefined;
  const cluster = await createPgCluster({
    settings,
    dataDir: path.join(dir, 'data'),
    port,
    logFile: path.join(dir, 'postgres.log'),
    ephemeral: true,
    maxConnections: opts.maxConnections ?? 300,
  });
  running.add(cluster.dataDir);
  try {
    await cluster.start();
    await cluster.createDatabase('dukaan');
  } catch (err) {
    await cluster.destroy().catch(() => {});
    running.delete(cluster.dataDir);
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return privatePg(cluster, dir);
}

/**
 * A streaming replica of `primary` in a temp dir of its own, on a free port: `pg_basebackup -R` (which writes
 * standby.signal and primary_conninfo), then started as a hot standby. destroy() stops it and deletes the dir; it is
 * also stopped if the test process exits first.
 */
export async function startPrivateStandby(primary: PgCluster): Promise<PrivatePg> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-standby-'));
  fs.chmodSync(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  try {
    const as = await postgresUser();
    fs.mkdirSync(dataDir, { mode: 0o700 });
    if (as.prefix.length) fs.chownSync(dataDir, as.uid, as.gid);
    openPathTo(dir);
    await runPg(as, path.join(findPgBin(), 'pg_basebackup'), [
      ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'],
      ...['-D', dataDir, '-R', '-X', 'stream', '--checkpoint=fast', '--no-sync'],
    ]);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const port = await freePortRange(1, 40000, 50000);
  const cluster = await createPgCluster({
    dataDir,
    port,
    logFile: path.join(dir, 'postgres.log'),
    ephemeral: true,
    maxConnections: 300,
  });
  running.add(cluster.dataDir);
  try {
    await cluster.start();
  } catch (err) {
    await cluster.stop('immediate').catch(() => {});
    running.delete(cluster.dataDir);
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return privatePg(cluster, dir);
}

/** The cluster with its app URL and temp dir; destroy() stops it and deletes the dir. */
function privatePg(cluster: PgCluster, dir: string): PrivatePg {
  return Object.assign(cluster, {
    appUrl: cluster.url('dukaan'),
    dir,
    async destroy() {
      try {
        await cluster.stop('immediate');
        running.delete(cluster.dataDir);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  });
}
