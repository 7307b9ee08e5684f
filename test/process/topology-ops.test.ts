/**
 * The operations files in deploy/: the systemd units pass `systemd-analyze verify`, the PgBouncer example uses
 * transaction pooling, and the code still holds no per-connection state that transaction pooling would break
 * (the claim written in deploy/pgbouncer/pgbouncer.ini and deploy/README.md).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../deploy/topology.js';

const run = promisify(execFile);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|sql)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) out.push(p);
  }
  return out;
}

/** Features that tie state to a server connection beyond one transaction. */
const SESSION_STATE: [string, RegExp][] = [
  ['session-level advisory lock', /pg_(try_)?advisory_lock(_shared)?\s*\(/i],
  ['LISTEN/UNLISTEN', /\b(UN)?LISTEN\s+["a-z_*]/],
  ['notification handler', /\.on\(\s*['"]notification['"]/],
  // A statement sent on its own (not an UPDATE's SET clause, not a comment). plan_cache_mode is left out: it decides
  // how a statement is planned, never what it answers, so one leaked to another client of a pooler changes no
  // result (src/db/pg.ts sets it only with named statements; deploy/README.md says what to do behind a pooler).
  [
    'SET outside a transaction',
    /\.(query|exec)\(\s*['"`]\s*SET\s+(?!LOCAL\b)(SESSION\s+)?(?!plan_cache_mode\b)[a-z_.]+\s*(=|TO\b)/i,
  ],
  ['set_config(…, false)', /set_config\([^)]*,\s*false\s*\)/i],
  ['temporary table', /CREATE\s+(GLOBAL\s+|LOCAL\s+)?TEMP(ORARY)?\s+TABLE/i],
  ['cursor WITH HOLD', /WITH\s+HOLD/i],
  ['SQL-level PREPARE', /\.(query|exec)\(\s*['"`]\s*PREPARE\s+\w+/i],
  // Hand-named ones; src/db/db.ts names statements itself, behind DB_PREPARED_STATEMENTS (tested below).
  ['named prepared statement (node-postgres)', /\bname\s*:\s*['"`][^'"`]*['"`]\s*,\s*(text|values)\s*:/],
];

describe('operations files', () => {
  it('dukaan keeps no per-connection state, so PgBouncer transaction pooling is safe', () => {
    const files = sourceFiles(path.join(PROJECT_ROOT, 'src'));
    expect(files.length).toBeGreaterThan(20);
    const found: string[] = [];
    let xactLocks = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      xactLocks += (text.match(/pg_advisory_xact_lock\s*\(/g) ?? []).length;
      for (const [what, re] of SESSION_STATE) {
        const m = re.exec(text);
        if (m) found.push(`${path.relative(PROJECT_ROOT, file)}: ${what}: ${m[0]}`);
      }
    }
    expect(found, 'these need pool_mode = session; update deploy/pgbouncer/pgbouncer.ini and deploy/README.md').toEqual(
      [],
    );
    // The advisory locks dukaan does take are transaction-scoped (and the scan does see them).
    expect(xactLocks).toBeGreaterThan(0);
  });

  it('the session-state scan catches what it is meant to catch', () => {
    const samples = [
      "await client.query('SELECT pg_advisory_lock(42)')",
      "await client.query('LISTEN order_events')",
      "client.on('notification', handle)",
      'await db.query(`SET statement_timeout = 1000`)',
      'await db.query(`SET SESSION search_path = shop`)',
      'await db.query("SELECT set_config(\'app.store\', $1, false)")',
      'CREATE TEMP TABLE scratch (id int)',
      'DECLARE c CURSOR WITH HOLD FOR SELECT 1',
      "await db.query('PREPARE q AS SELECT 1')",
      "await pool.query({ name: 'find-order', text: 'SELECT 1' })",
    ];
    for (const sample of samples)
      expect(
        SESSION_STATE.some(([, re]) => re.test(sample)),
        sample,
      ).toBe(true);
    const fine = [
      "await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key])",
      "await tx.query('SET LOCAL statement_timeout = 1000')",
      'client.query(`SET plan_cache_mode = force_generic_plan`)',
      "await tx.query('UPDATE variants SET stock = stock - $2 WHERE id = $1')",
      '/** Builds `SET a = $n, …` from the fields that are present */',
      'the pool is listening on a port',
    ];
    for (const sample of fine)
      expect(
        SESSION_STATE.some(([, re]) => re.test(sample)),
        sample,
      ).toBe(false);
  });

  it('the PgBouncer example pools by transaction and fails fast', () => {
    const ini = fs.readFileSync(path.join(PROJECT_ROOT, 'deploy', 'pgbouncer', 'pgbouncer.ini'), 'utf8');
    const settings = new Map<string, string>();
    let section = '';
    for (const raw of ini.split('\n')) {
      const line = raw.replace(/^\s*;.*$/, '').trim();
      if (!line) continue;
      const header = /^\[(\w+)\]$/.exec(line);
      if (header) {
        section = header[1]!;
        continue;
      }
      const kv = /^([\w.]+)\s*=\s*(.*)$/.exec(line);
      expect(kv, `cannot read "${raw}"`).not.toBeNull();
      settings.set(`${section}.${kv![1]}`, kv![2]!);
    }
    expect(settings.get('pgbouncer.pool_mode')).toBe('transaction');
    expect(settings.get('databases.dukaan')).toMatch(/dbname=dukaan/);
    expect(Number(settings.get('pgbouncer.query_wait_timeout'))).toBeGreaterThan(0);
    // below PostgreSQL's default max_connections
    expect(Number(settings.get('pgbouncer.default_pool_size'))).toBeLessThan(100);
    // dukaan prepares named statements unless told not to; this PgBouncer (no max_prepared_statements) needs that.
    if (!Number(settings.get('pgbouncer.max_prepared_statements') ?? 0))
      expect(ini).toContain('DB_PREPARED_STATEMENTS=0');
    expect(fs.readFileSync(path.join(PROJECT_ROOT, 'deploy', 'README.md'), 'utf8')).toContain(
      'DB_PREPARED_STATEMENTS=0',
    );
  });

  it('the systemd units pass systemd-analyze verify', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-systemd-'));
    try {
      for (const f of ['dukaan.service', 'dukaan@.service', 'dukaan.target'])
        fs.copyFileSync(path.join(PROJECT_ROOT, 'deploy', 'systemd', f), path.join(dir, f));
      fs.symlinkSync('dukaan@.service', path.join(dir, 'dukaan@3001.service'));
      const { stdout, stderr } = await run(
        'systemd-analyze',
        ['verify', './dukaan.service', './dukaan@3001.service', './dukaan.target'],
        { cwd: dir },
      );
      // It reports problems on stderr without failing; missing users and env files on this machine are fine.
      const problems = (stdout + stderr)
        .split('\n')
        .filter((l) => l.trim() && !/dukaan\.env|user|Failed to resolve|not found/i.test(l));
      expect(problems).toEqual([]);
      const unit = fs.readFileSync(path.join(dir, 'dukaan.service'), 'utf8');
      expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/srv\/dukaan\/bin\/dukaan\.js serve$/m);
      expect(unit).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
      expect(unit).toMatch(/^KillMode=mixed$/m);
      expect(fs.readFileSync(path.join(dir, 'dukaan@.service'), 'utf8')).toMatch(/^Environment=PORT=%i$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
