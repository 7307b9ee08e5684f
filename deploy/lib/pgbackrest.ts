/**
 * Backups and point-in-time restore with pgBackRest (Debian `pgbackrest`): full/differential/incremental backups
 * plus continuous WAL archiving into a repository directory, and restores to any moment covered by the archive.
 *
 * One configuration file per database server (`pgbackrest.conf`, written by `writeBackupConfig`), one stanza
 * (`dukaan`). The server archives every WAL segment with `archive_command = pgbackrest … archive-push %p`
 * (`archiveSettings`). As root, pgBackRest runs as the `postgres` user, like PostgreSQL itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openPathTo, postgresUser, runPg } from './pg-cluster.js';

export const PGBACKREST_BIN = process.env.PGBACKREST_BIN || '/usr/bin/pgbackrest';

export interface BackupConfig {
  /** The pgbackrest.conf written for this server. */
  configFile: string;
  stanza: string;
  /** The repository (backups and archived WAL). In production: another disk, host (repo1-host) or object storage. */
  repoPath: string;
  /** The server's data directory and port (pgBackRest connects over its Unix socket directory). */
  pgDataDir: string;
  pgPort: number;
  pgSocketDir: string;
  /** More servers of the same cluster (the ha topology's standby): pgBackRest backs up whichever is primary. */
  others?: { dataDir: string; port: number; socketDir?: string }[];
}

export interface BackupConfigOptions {
  /** Where pgbackrest.conf, the repository, logs and locks go (unless `repoPath` is given). */
  dir: string;
  pgDataDir: string;
  pgPort: number;
  /** Default: the data directory (what deploy/lib/pg-cluster.ts sets as unix_socket_directories). */
  pgSocketDir?: string;
  repoPath?: string;
  stanza?: string;
  others?: { dataDir: string; port: number; socketDir?: string }[];
  /** Full backups kept (older ones and the WAL only they need are expired). Default 2. */
  retentionFull?: number;
}

/** pgBackRest is installed, or a clear error naming the Debian package. */
export function findPgBackRest(): string {
  if (!fs.existsSync(PGBACKREST_BIN))
    throw new Error(
      `pgBackRest not found at ${PGBACKREST_BIN} (Debian: apt-get install -y pgbackrest, or set PGBACKREST_BIN)`,
    );
  return PGBACKREST_BIN;
}

/** Writes pgbackrest.conf and makes the repository, log and lock directories, owned by the postgres user. */
export async function writeBackupConfig(opts: BackupConfigOptions): Promise<BackupConfig> {
  findPgBackRest();
  const as = await postgresUser();
  const dir = path.resolve(opts.dir);
  const cfg: BackupConfig = {
    configFile: path.join(dir, 'pgbackrest.conf'),
    stanza: opts.stanza ?? 'dukaan',
    repoPath: path.resolve(opts.repoPath ?? path.join(dir, 'repo')),
    pgDataDir: path.resolve(opts.pgDataDir),
    pgPort: opts.pgPort,
    pgSocketDir: path.resolve(opts.pgSocketDir ?? opts.pgDataDir),
    others: (opts.others ?? []).map((o) => ({ dataDir: path.resolve(o.dataDir), port: o.port })),
  };
  for (const d of [dir, cfg.repoPath, path.join(dir, 'log'), path.join(dir, 'lock'), path.join(dir, 'spool')]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o750 });
    openPathTo(path.dirname(d));
    fs.chownSync(d, as.uid, as.gid);
  }
  const text = [
    '# Written by dukaan (deploy/lib/pgbackrest.ts). See deploy/README.md, "Backups and restore".',
    '[global]',
    `repo1-path=${cfg.repoPath}`,
    `repo1-retention-full=${opts.retentionFull ?? 2}`,
    'repo1-retention-full-type=count',
    `log-path=${path.join(dir, 'log')}`,
    `lock-path=${path.join(dir, 'lock')}`,
    `spool-path=${path.join(dir, 'spool')}`,
    'log-level-console=warn',
    'log-level-file=info',
    // An immediate checkpoint: the backup starts at once instead of at the next scheduled checkpoint.
    'start-fast=y',
    'compress-type=gz',
    'compress-level=3',
    'process-max=2',
    '',
    `[${cfg.stanza}]`,
    `pg1-path=${cfg.pgDataDir}`,
    `pg1-port=${cfg.pgPort}`,
    `pg1-socket-path=${cfg.pgSocketDir}`,
    'pg1-user=postgres',
    ...(cfg.others ?? []).flatMap((o, i) => [
      `pg${i + 2}-path=${o.dataDir}`,
      `pg${i + 2}-port=${o.port}`,
      `pg${i + 2}-socket-path=${o.socketDir ?? o.dataDir}`,
      `pg${i + 2}-user=postgres`,
    ]),
    '',
  ].join('\n');
  fs.writeFileSync(cfg.configFile, text, { mode: 0o640 });
  fs.chownSync(cfg.configFile, as.uid, as.gid);
  fs.writeFileSync(path.join(dir, 'backup.json'), `${JSON.stringify(cfg, null, 2)}\n`);
  return cfg;
}

/** Reads the description `writeBackupConfig` left next to pgbackrest.conf. */
export function readBackupConfig(dir: string): BackupConfig {
  const file = path.join(path.resolve(dir), 'backup.json');
  if (!fs.existsSync(file)) throw new Error(`no backup configuration in ${dir} (expected ${file})`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as BackupConfig;
}

/** The server settings that archive every WAL segment into the repository (needs a restart to take effect). */
export function archiveSettings(cfg: BackupConfig): Record<string, string> {
  return {
    wal_level: 'replica',
    archive_mode: 'on',
    archive_command: `${PGBACKREST_BIN} --config=${cfg.configFile} --stanza=${cfg.stanza} archive-push %p`,
    // A quiet shop still closes a WAL segment every minute: at most a minute of orders exists only on the server.
    archive_timeout: '60',
  };
}

async function pgbackrest(cfg: BackupConfig, args: string[], timeoutMs = 600_000): Promise<string> {
  const as = await postgresUser();
  return runPg(as, findPgBackRest(), [`--config=${cfg.configFile}`, `--stanza=${cfg.stanza}`, ...args], timeoutMs);
}

/** Creates the stanza in the repository (idempotent) and checks that WAL archiving works. */
export async function stanzaCreate(cfg: BackupConfig): Promise<void> {
  await pgbackrest(cfg, ['stanza-create']);
  await pgbackrest(cfg, ['check']);
}

/** Forces a WAL switch and waits until the segment is in the repository (so a restore can reach "now"). */
export async function checkArchive(cfg: BackupConfig): Promise<void> {
  await pgbackrest(cfg, ['check']);
}

export type BackupType = 'full' | 'diff' | 'incr';

export async function backup(cfg: BackupConfig, type: BackupType = 'full'): Promise<BackupInfo> {
  await pgbackrest(cfg, ['backup', `--type=${type}`]);
  const list = await listBackups(cfg);
  const last = list.at(-1);
  if (!last) throw new Error('pgbackrest backup reported success but lists no backup');
  return last;
}

export interface BackupInfo {
  label: string;
  type: BackupType;
  startedAt: Date;
  stoppedAt: Date;
  /** Size of the database at backup time, and what this backup stored in the repository (compressed). */
  databaseBytes: number;
  repositoryBytes: number;
  /** The WAL range it needs. */
  walStart: string;
  walStop: string;
}

interface RawInfo {
  name: string;
  status: { code: number; message: string };
  backup?: {
    label: string;
    type: BackupType;
    timestamp: { start: number; stop: number };
    info: { size: number; repository: { delta: number } };
    archive: { start: string; stop: string };
  }[];
}

export async function listBackups(cfg: BackupConfig): Promise<BackupInfo[]> {
  const out = await pgbackrest(cfg, ['info', '--output=json'], 60_000);
  const json = JSON.parse(out.slice(out.indexOf('['), out.lastIndexOf(']') + 1)) as RawInfo[];
  const stanza = json.find((s) => s.name === cfg.stanza);
  return (stanza?.backup ?? []).map((b) => ({
    label: b.label,
    type: b.type,
    startedAt: new Date(b.timestamp.start * 1000),
    stoppedAt: new Date(b.timestamp.stop * 1000),
    databaseBytes: b.info.size,
    repositoryBytes: b.info.repository.delta,
    walStart: b.archive.start,
    walStop: b.archive.stop,
  }));
}

/**
 * A recovery target: `latest` (the end of the archive) or a timestamp PostgreSQL understands, with a zone
 * (`2026-11-29 22:10:05.123+00`, `2026-11-29T22:10:05Z`). A time without a zone would be read in the server's
 * zone, so it is refused.
 */
export function parseRestoreTarget(raw: string): { type: 'latest' } | { type: 'time'; time: string } {
  const s = raw.trim();
  if (s === 'latest') return { type: 'latest' };
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(s);
  if (!m || Number.isNaN(Date.parse(`${m[1]}T${m[2]}${m[3] === 'Z' ? 'Z' : normalizeZone(m[3]!)}`)))
    throw new Error(`--to takes "latest" or a timestamp with a zone (2026-11-29T22:10:05Z), got "${raw}"`);
  return { type: 'time', time: `${m[1]} ${m[2]}${m[3] === 'Z' ? '+00' : m[3]}` };
}

function normalizeZone(z: string): string {
  if (/^[+-]\d{2}$/.test(z)) return `${z}:00`;
  if (/^[+-]\d{4}$/.test(z)) return `${z.slice(0, 3)}:${z.slice(3)}`;
  return z;
}

/**
 * Restores the newest backup taken before the target into `into` (an empty or missing directory), set up to
 * replay archived WAL up to the target and then promote (become a writable server of its own). Archiving is
 * switched off in the copy, so it never writes into the original's repository. Start it with pg_ctl (or
 * deploy/lib/pg-cluster.ts) on a port of its own.
 */
export async function restore(cfg: BackupConfig, opts: { to: string; into: string }): Promise<void> {
  const target = parseRestoreTarget(opts.to);
  const as = await postgresUser();
  const into = path.resolve(opts.into);
  if (fs.existsSync(into) && fs.readdirSync(into).length > 0)
    throw new Error(`${into} is not empty; restore into a new directory`);
  fs.mkdirSync(into, { recursive: true, mode: 0o700 });
  fs.chmodSync(into, 0o700);
  openPathTo(path.dirname(into));
  fs.chownSync(into, as.uid, as.gid);
  const set = target.type === 'time' ? backupForTarget(await listBackups(cfg), target.time) : undefined;
  await pgbackrest(cfg, [
    'restore',
    `--pg1-path=${into}`,
    '--archive-mode=off',
    ...(set ? [`--set=${set}`] : []),
    ...(target.type === 'time' ? ['--type=time', `--target=${target.time}`, '--target-action=promote'] : []),
  ]);
}

/**
 * The newest backup that can reach `time`. pgBackRest keeps a backup's stop time in whole seconds and, left to
 * choose, wants it strictly before the target's whole second, so a target in the same second as a backup's end
 * finds nothing. A backup that stopped in that second is taken here; should it really have ended after the
 * target, PostgreSQL refuses the recovery with a clear "before consistent recovery point" error.
 */
export function backupForTarget(backups: readonly BackupInfo[], time: string): string {
  const zone = /(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(time)?.[1] ?? 'Z';
  const targetMs = Date.parse(`${time.slice(0, time.length - zone.length).replace(' ', 'T')}${normalizeZone(zone)}`);
  const usable = backups
    .filter((b) => b.stoppedAt.getTime() <= Math.floor(targetMs / 1000) * 1000)
    .sort((a, b) => b.stoppedAt.getTime() - a.stoppedAt.getTime());
  const chosen = usable[0];
  if (!chosen) {
    const first = backups.map((b) => b.stoppedAt.toISOString()).sort()[0];
    throw new Error(
      first
        ? `no backup ended before ${time}; the oldest ended at ${first}`
        : 'there is no backup yet; take one with: npm run db -- backup',
    );
  }
  return chosen.label;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}
