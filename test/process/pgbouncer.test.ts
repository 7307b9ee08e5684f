/**
 * dukaan behind PgBouncer in transaction mode (Debian's pgbouncer, deploy/pgbouncer/pgbouncer.ini's pool mode), with
 * ONE server connection for every client, so each transaction reuses the connection the one before it used. Cart
 * writes commit without waiting for the WAL flush (`synchronous_commit` off for their own transaction only); orders,
 * stock and Idempotency-Key records wait for it. Here: customers shop and check out at once through the pooler, a
 * statement trigger records the setting every write ran under, and the one shared connection answers `on` after.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, killAllServers, ROOT, spawnServer, waitFor, type ServerProcess } from '../helpers/process.js';
import { PG_ADMIN_URL } from '../helpers/db.js';

const DB = `dukaan_pgbouncer_${process.pid}`;
const WATCHED = ['carts', 'cart_lines', 'orders', 'variants', 'idempotency_keys', 'store_order_counters'];

let dir = '';
let bouncer: ChildProcess | undefined;
let bouncerPort = 0;
let server: ServerProcess | undefined;
const adminUrl = new URL(PG_ADMIN_URL);
const directUrl = (() => {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${DB}`;
  return u.toString();
})();

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

function dukaan(command: string, env: Record<string, string>): void {
  execFileSync(process.execPath, [path.join(ROOT, 'bin/dukaan.js'), command], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: directUrl, LOG_LEVEL: 'warn', ...env },
    stdio: 'pipe',
  });
}

beforeAll(async () => {
  await sql(PG_ADMIN_URL, `DROP DATABASE IF EXISTS ${DB}`);
  await sql(PG_ADMIN_URL, `CREATE DATABASE ${DB}`);
  dukaan('migrate', {});
  dukaan('demo', { OTP_CONSOLE: '1' });
  await sql(
    directUrl,
    `UPDATE stores SET pickup = true, cod = true, is_open = true, min_order = NULL WHERE slug = 'demo';
     UPDATE variants SET stock = 1000 WHERE store_id = (SELECT id FROM stores WHERE slug = 'demo');
     CREATE TABLE test_sync (tbl text NOT NULL, setting text NOT NULL);
     CREATE FUNCTION test_log_sync() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO test_sync VALUES (TG_TABLE_NAME, current_setting('synchronous_commit'));
       RETURN NULL;
     END $$;
     ${WATCHED.map(
       (t) =>
         `CREATE TRIGGER test_sync AFTER INSERT OR UPDATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION test_log_sync();`,
     ).join('\n')}`,
  );
  // The server's own setting is the durable default: what the app turns off, it turns off itself.
  expect((await sql<{ s: string }>(directUrl, "SELECT current_setting('synchronous_commit') AS s"))[0]!.s).toBe('on');

  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-pgbouncer-'));
  bouncerPort = await freePort();
  fs.writeFileSync(path.join(dir, 'userlist.txt'), `"${adminUrl.username}" ""\n`);
  fs.writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `${DB} = host=${adminUrl.hostname} port=${adminUrl.port || 5432} dbname=${DB}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${bouncerPort}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      // One server connection for all: every transaction runs on the connection the one before it used.
      'default_pool_size = 1',
      'max_client_conn = 200',
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n'),
  );
  // PgBouncer will not run as root: -u drops to the postgres user, which must read its files.
  fs.chmodSync(dir, 0o777);
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o666);
  const asRoot = process.getuid?.() === 0;
  bouncer = spawn('pgbouncer', [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  bouncer.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  bouncer.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const bouncerUrl = `postgres://${adminUrl.username}@127.0.0.1:${bouncerPort}/${DB}`;
  await waitFor(
    `pgbouncer on ${bouncerPort} (${out})`,
    async () =>
      (await sql(bouncerUrl, 'SELECT 1')
        .then(() => true)
        .catch(() => false)) || undefined,
    20_000,
    100,
  );

  server = spawnServer({
    port: await freePort(),
    // PgBouncer 1.18 (Debian 12) keeps no prepared statements across transactions: unnamed ones only.
    env: { DATABASE_URL: bouncerUrl, DB_PREPARED_STATEMENTS: '0', WEB_CONCURRENCY: '1' },
  });
  await server.waitForHealthy();
}, 120_000);

afterAll(async () => {
  await killAllServers();
  bouncer?.kill('SIGKILL');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await sql(PG_ADMIN_URL, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch(() => {});
}, 60_000);

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server!.baseUrl}${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('behind PgBouncer in transaction mode', () => {
  it('cart writes skip the flush, orders wait for it, and the shared connection stays durable', async () => {
    const api = '/api/v1/storefront/demo';
    const list = await call('GET', `${api}/products`);
    const variants = (list.body.items as { variants: { id: string }[] }[]).flatMap((p) => p.variants.map((v) => v.id));
    expect(variants.length).toBeGreaterThanOrEqual(3);

    const customer = async (i: number) => {
      const cart = await call('POST', `${api}/carts`, {});
      expect(cart.status).toBe(201);
      const cartUrl = `${api}/carts/${cart.body.id as string}`;
      for (const v of variants.slice(i % 2, (i % 2) + 2))
        expect((await call('PUT', `${cartUrl}/lines/${v}`, { quantity: 1 })).status).toBe(200);
      const order = await call(
        'POST',
        `${cartUrl}/checkout`,
        { customer: { name: `Customer ${i}`, phone: '+919812345678' }, fulfillment: 'pickup', paymentMethod: 'cod' },
        { 'idempotency-key': `pgbouncer-${i}` },
      );
      expect(order.status, JSON.stringify(order.body)).toBe(201);
      return order.body.number as number;
    };
    const numbers = (await Promise.all(Array.from({ length: 12 }, (_, i) => customer(i)))).sort((a, b) => a - b);
    // Gap-free, whatever the demo store had before.
    expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => numbers[0]! + i));

    const settings = await sql<{ tbl: string; settings: string[] }>(
      directUrl,
      `SELECT tbl, array_agg(DISTINCT setting ORDER BY setting) AS settings FROM test_sync GROUP BY tbl ORDER BY tbl`,
    );
    expect(Object.fromEntries(settings.map((r) => [r.tbl, r.settings]))).toEqual({
      // Cart create and line puts: not durable. The checkout marks the cart ordered in its durable statement.
      carts: ['off', 'on'],
      cart_lines: ['off'],
      idempotency_keys: ['on'],
      orders: ['on'],
      store_order_counters: ['on'],
      variants: ['on'],
    });
    // The only server connection served every one of those transactions, and it is durable again.
    const bouncerUrl = `postgres://${adminUrl.username}@127.0.0.1:${bouncerPort}/${DB}`;
    expect((await sql<{ s: string }>(bouncerUrl, "SELECT current_setting('synchronous_commit') AS s"))[0]!.s).toBe(
      'on',
    );
    const backends = await sql<{ n: number }>(
      directUrl,
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'
          AND application_name <> 'psql' AND pid <> pg_backend_pid()`,
      [DB],
    );
    expect(backends[0]!.n).toBeLessThanOrEqual(1);
  });
});
