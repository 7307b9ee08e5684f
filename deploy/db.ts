/**
 * Backups of a topology's PostgreSQL with pgBackRest (see deploy/lib/pgbackrest.ts and deploy/README.md).
 *
 *   npm run db -- backup [--type full|diff|incr]             a backup now (full by default)
 *   npm run db -- backups [--json]                          what the repository holds, with age and size
 *   npm run db -- restore --to <timestamp|latest> --into DIR [--port P]
 *                                                           restore into a new data directory (and start it on P)
 *
 * Which server: the topology's (its run dir, default /tmp/dukaan-topology or $DUKAAN_TOPOLOGY_DIR, holds the
 * pgBackRest configuration in backup/), or any configuration written by writeBackupConfig: --backup-dir DIR.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { createPgCluster } from './lib/pg-cluster.js';
import {
  backup,
  checkArchive,
  formatAge,
  formatBytes,
  listBackups,
  parseRestoreTarget,
  readBackupConfig,
  restore,
  type BackupConfig,
  type BackupType,
} from './lib/pgbackrest.js';
import { tail, waitFor } from './lib/proc.js';

const DEFAULT_RUN_DIR = process.env.DUKAAN_TOPOLOGY_DIR || '/tmp/dukaan-topology';

const USAGE = `usage:
  npm run db -- backup [--type full|diff|incr]            take a backup now (default full)
  npm run db -- backups [--json]                         list backups: type, age, database and stored size
  npm run db -- restore --to <timestamp|latest> --into DIR [--port P]
                                                         restore to that moment into a new data directory;
                                                         with --port, start it there and wait until it is writable
options:
  --run-dir DIR       the topology whose PostgreSQL is meant (default ${DEFAULT_RUN_DIR}); its backup/ is used
  --backup-dir DIR    a pgBackRest configuration of dukaan's (pgbackrest.conf + backup.json) instead
`;

/** Restores and, when a port is given, starts the copy and waits until recovery ended and it accepts writes. */
export async function restoreCommand(
  cfg: BackupConfig,
  opts: { to: string; into: string; port: number | null },
  say: (line: string) => void,
): Promise<void> {
  parseRestoreTarget(opts.to); // refuse a bad target before touching anything
  // Best effort: push the WAL written so far into the repository, so "latest" (or a moment a second ago) is there.
  await checkArchive(cfg).catch((err: Error) =>
    say(
      `note: the source server did not confirm archiving (${err.message.split('\n')[0]}); ` +
        'restoring from the archive as it is',
    ),
  );
  const started = Date.now();
  await restore(cfg, opts);
  say(`restored ${opts.to === 'latest' ? 'the latest state' : `to ${opts.to}`} into ${path.resolve(opts.into)}`);
  if (opts.port === null) {
    say(`start it with: pg_ctl -D ${path.resolve(opts.into)} -o "-p <port>" start (it replays WAL, then promotes)`);
    return;
  }
  // Recovery refuses to run with fewer connections than the source had (the topologies use 300).
  const cluster = await createPgCluster({ dataDir: opts.into, port: opts.port, maxConnections: 300 });
  await cluster.start().catch((err: Error) => {
    throw new Error(
      `${err.message}\nthe restored server's log (${cluster.logFile}) ends with:\n${tail(cluster.logFile)}`,
    );
  });
  const url = cluster.url('postgres');
  await waitFor(
    'the restored server to finish recovery',
    async () => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        const { rows } = await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
        return rows[0]?.r === false;
      } finally {
        await client.end().catch(() => {});
      }
    },
    600_000,
    200,
  );
  say(`running on port ${opts.port} (${((Date.now() - started) / 1000).toFixed(1)} s): ${cluster.url('dukaan')}`);
}

function configFrom(values: { 'run-dir'?: string; 'backup-dir'?: string }): BackupConfig {
  if (values['backup-dir']) return readBackupConfig(values['backup-dir']);
  return readBackupConfig(path.join(path.resolve(values['run-dir'] ?? DEFAULT_RUN_DIR), 'backup'));
}

export async function main(argv: string[], say = (line: string) => process.stdout.write(`${line}\n`)): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      type: { type: 'string' },
      to: { type: 'string' },
      into: { type: 'string' },
      port: { type: 'string' },
      json: { type: 'boolean' },
      'run-dir': { type: 'string' },
      'backup-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return;
  }
  if (command === 'backup') {
    const type = (values.type ?? 'full') as BackupType;
    if (!['full', 'diff', 'incr'].includes(type)) throw new Error(`--type must be full, diff or incr, got "${type}"`);
    const cfg = configFrom(values);
    const started = Date.now();
    const b = await backup(cfg, type);
    say(
      `${b.type} backup ${b.label} done in ${((Date.now() - started) / 1000).toFixed(1)} s: database ` +
        `${formatBytes(b.databaseBytes)}, stored ${formatBytes(b.repositoryBytes)} in ${cfg.repoPath}`,
    );
  } else if (command === 'backups') {
    const cfg = configFrom(values);
    const list = await listBackups(cfg);
    if (values.json) {
      say(
        JSON.stringify(
          list.map((b) => ({ ...b, ageSeconds: Math.round((Date.now() - b.stoppedAt.getTime()) / 1000) })),
        ),
      );
      return;
    }
    if (list.length === 0) {
      say(`no backups yet in ${cfg.repoPath} (npm run db -- backup)`);
      return;
    }
    say('label                      type  finished                  age       database  stored');
    for (const b of list)
      say(
        `${b.label.padEnd(26)} ${b.type.padEnd(5)} ${b.stoppedAt.toISOString().padEnd(25)} ` +
          `${formatAge(Date.now() - b.stoppedAt.getTime()).padEnd(9)} ${formatBytes(b.databaseBytes).padEnd(9)} ` +
          `${formatBytes(b.repositoryBytes)}`,
      );
  } else if (command === 'restore') {
    if (!values.to || !values.into) throw new Error('restore needs --to <timestamp|latest> and --into DIR');
    const port = values.port === undefined ? null : Number(values.port);
    if (port !== null && (!Number.isInteger(port) || port < 1 || port > 65535))
      throw new Error(`--port must be a TCP port, got "${values.port}"`);
    await restoreCommand(configFrom(values), { to: values.to, into: values.into, port }, say);
  } else {
    throw new Error(`unknown command "${command}" (backup, backups, restore)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`db: ${err.message}\n`);
    process.exitCode = 1;
  });
}
