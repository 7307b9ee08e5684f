import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createPgDb } from '../../src/db/pg.js';
import { appOnDb } from '../helpers/app-on-db.js';
import { client, signIn, type Res } from '../helpers/app.js';
import { createTestDb, PG_ADMIN_URL } from '../helpers/db.js';
import { appTest } from '../helpers/fixture.js';
import { addProduct, checkoutCart, newCart, openShop } from '../helpers/order-fixtures.js';

const execFileAsync = promisify(execFile);

const logged: Array<Record<string, unknown>> = [];
const it = appTest(
  {},
  {
    beforeReady: (app) => {
      app.get('/api/v1/__boom', async () => {
        throw new Error('secret internal detail');
      });
      // What node-postgres throws for a statement PostgreSQL rolled back as a deadlock's victim or a serialization
      // failure (a real one is played in place-order.test.ts, where the statement runs again).
      app.get('/api/v1/__undone/:code', async (request) => {
        const { code } = request.params as { code: string };
        throw Object.assign(new Error('deadlock detected'), { code, severity: 'ERROR' });
      });
      app.addHook('onError', async (request, _reply, error) => {
        logged.push({ reqId: request.id, message: error.message });
      });
    },
  },
);

function expectProblem(
  res: { status: number; headers: Record<string, unknown>; body: any },
  status: number,
  code: string,
) {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body).toMatchObject({
    status,
    code,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
}

describe('health', () => {
  it('/healthz answers ok and /readyz ready', async ({ ctx }) => {
    const api = client(ctx.app);
    expect((await api.get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await api.get('/readyz');
    expect(ready.status).toBe(200);
  });

  it('/readyz is 503 and API calls fail fast with 503 unavailable when the database does not answer', async () => {
    const deadDb = createPgDb('postgres://postgres@127.0.0.1:1/nothing', { connectionTimeoutMillis: 500 });
    const app = await buildApp({ config: { ...loadConfig({}), logLevel: 'silent' }, db: deadDb, logger: false });
    try {
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      const started = Date.now();
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/otp', payload: { phone: '+919876543210' } });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('unavailable');
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await app.close();
      await deadDb.close();
    }
  });
});

describe('a primary that refuses writes as read-only (PostgreSQL, whatever the suite runs on)', () => {
  // A failover's first instants behind HAProxy: the new leader passes the primary check before its promotion ends,
  // and writes reach it while it is still in recovery. Played here with default_transaction_read_only on the database
  // (its sessions ended, so the app's pool reconnects under it).
  it('answers writes 503 unavailable, never 500, serves reads, and writes again once it is writable', async () => {
    const testDb = await createTestDb('postgres');
    const ctx = await appOnDb(testDb.db, testDb.url);
    const name = new URL(testDb.url!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    const readOnly = async (on: boolean) => {
      await admin.query(
        on ? `ALTER DATABASE ${name} SET default_transaction_read_only = on` : `ALTER DATABASE ${name} RESET ALL`,
      );
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    };
    try {
      const shop = await openShop(ctx);
      const variant = await addProduct(shop, 'Tea 250 g', 12_000, 50);
      const cartId = await newCart(shop, [[variant, 1]]);
      const store = `/api/v1/storefront/${shop.slug}`;
      const putLine = () => shop.customer.put(`${store}/carts/${cartId}/lines/${variant}`, { quantity: 2 });
      const keyedCart = () => shop.customer.post(`${store}/carts`, {}, { 'idempotency-key': randomUUID() });
      const checkout = () => checkoutCart(shop, cartId);
      /** What a client that retries 503 gets: the first answer of another status. */
      const retried = async (send: () => Promise<Res>) => {
        for (let attempt = 0; attempt < 10; attempt++) {
          const res = await send();
          if (res.status !== 503) return res;
        }
        throw new Error('still 503 after 10 attempts');
      };

      await readOnly(true);
      for (let round = 0; round < 3; round++) {
        for (const res of [await putLine(), await keyedCart(), await checkout()]) {
          expect(res.status, res.text).toBe(503);
          expect(res.body.code).toBe('unavailable');
          expect(res.headers['retry-after']).toBe('1');
        }
      }
      expect((await retried(() => shop.customer.get(`${store}/products`))).status).toBe(200);

      await readOnly(false);
      expect((await retried(putLine)).status).toBe(200);
      expect((await retried(keyedCart)).status).toBe(201);
      const order = await retried(checkout);
      expect(order.status, order.text).toBe(201);
      expect(order.body.lines[0].quantity).toBe(2);
    } finally {
      await admin.end();
      await ctx.app.close();
      await testDb.dispose();
    }
  });
});

describe('prepared statements on PostgreSQL', () => {
  // Against the machine's PostgreSQL whatever the suite's backend: this is about the driver, one connection.
  const preparedOnConnection = async (preparedStatements: boolean) => {
    const db = createPgDb(PG_ADMIN_URL, { max: 1, preparedStatements });
    try {
      for (let i = 0; i < 3; i++)
        expect((await db.query<{ n: number }>('SELECT $1::int + 1 AS n', [i])).rows[0]!.n).toBe(i + 1);
      await db.tx(async (tx) =>
        expect((await tx.query<{ n: number }>('SELECT $1::int + 2 AS n', [1])).rows[0]!.n).toBe(3),
      );
      const { rows } = await db.query<{ statement: string }>(
        `SELECT statement FROM pg_prepared_statements WHERE name LIKE 'dk%' ORDER BY prepare_time`,
      );
      return rows.map((r) => r.statement);
    } finally {
      await db.close();
    }
  };

  it(
    'named by default: each text with parameters is prepared once ' + 'on the connection, in and out of transactions',
    async () => {
      expect(await preparedOnConnection(true)).toEqual(['SELECT $1::int + 1 AS n', 'SELECT $1::int + 2 AS n']);
    },
  );

  it(
    'DB_PREPARED_STATEMENTS=0 (for PgBouncer in transaction mode) ' + 'leaves nothing prepared on the connection',
    async () => {
      expect(await preparedOnConnection(false)).toEqual([]);
      expect(loadConfig({ DB_PREPARED_STATEMENTS: '0' }).dbPreparedStatements).toBe(false);
      expect(loadConfig({}).dbPreparedStatements).toBe(true);
    },
  );
});

describe('plan cache mode on PostgreSQL', () => {
  // A statement over an array parameter, like the cart and checkout statements: PostgreSQL's `auto` mode would plan
  // it again on every execution.
  const plansOf = async (opts: Parameters<typeof createPgDb>[1]) => {
    const db = createPgDb(PG_ADMIN_URL, { max: 1, ...opts });
    try {
      const sql = 'SELECT count(*)::int AS n FROM unnest($1::oid[]) AS u(x) JOIN pg_class c ON c.oid = u.x';
      for (let i = 0; i < 8; i++) await db.query(sql, [[1259, 1247]]);
      const mode = (
        await db.tx((tx) => tx.query<{ m: string }>('SELECT current_setting($1) AS m', ['plan_cache_mode']))
      ).rows[0]!.m;
      const { rows } = await db.query<{ generic: number; custom: number }>(
        `SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements
          WHERE statement LIKE '%unnest($1::oid[])%'`,
      );
      return { mode, plans: rows };
    } finally {
      await db.close();
    }
  };

  it('named statements are planned once per connection (force_generic_plan), not on every execution', async () => {
    expect(await plansOf({})).toEqual({ mode: 'force_generic_plan', plans: [{ generic: 8, custom: 0 }] });
    expect(loadConfig({}).dbPlanCacheMode).toBe('force_generic_plan');
  });

  it('a new connection takes its setting before it is handed out, not beside its first statement', async () => {
    // node-postgres deprecates (and pg@9 drops) a query sent while the client runs another: the SET, sent from the
    // pool's 'connect' event, ran beside the first caller's statement. A fresh process, as node warns only once.
    const script = `import { createPgDb } from ${JSON.stringify(path.resolve('src/db/pg.ts'))};
      const db = createPgDb(${JSON.stringify(PG_ADMIN_URL)}, { max: 1 });
      const { rows } = await db.query('SELECT current_setting($1) AS m', ['plan_cache_mode']);
      console.log('mode=' + rows[0].m);
      await db.close();`;
    const { stdout, stderr } = await execFileAsync(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '--eval',
      script,
    ]);
    expect(stdout.trim()).toBe('mode=force_generic_plan');
    expect(stderr).not.toMatch(/DeprecationWarning|already executing a query/);
  });

  it("DB_PLAN_CACHE_MODE=auto leaves PostgreSQL's choice, which plans this statement for its parameters", async () => {
    const auto = await plansOf({ planCacheMode: 'auto' });
    expect(auto.mode).toBe('auto');
    expect(auto.plans[0]!.custom).toBeGreaterThanOrEqual(5);
    expect(loadConfig({ DB_PLAN_CACHE_MODE: 'auto' }).dbPlanCacheMode).toBe('auto');
    // Unnamed statements (DB_PREPARED_STATEMENTS=0) are planned each time anyway: nothing is set on the session.
    expect(await plansOf({ preparedStatements: false })).toEqual({ mode: 'auto', plans: [] });
  });
});

describe('security headers', () => {
  // Helmet's set, on answers that reach a route, a refusal and a miss alike.
  const HELMET = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    'cross-origin-resource-policy': 'same-site',
    'cross-origin-opener-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-permitted-cross-domain-policies': 'none',
    'origin-agent-cluster': '?1',
    'x-xss-protection': '0',
  };

  it('every answer carries them; no X-Powered-By, no HSTS over plain HTTP, no CSP on JSON', async ({ ctx }) => {
    const api = client(ctx.app);
    for (const res of [
      await api.get('/healthz'),
      await api.get('/api/v1/no-such-thing'),
      await api.post('/api/v1/auth/otp', { phone: 'nope' }),
    ]) {
      expect(res.headers).toMatchObject(HELMET);
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['content-security-policy']).toBeUndefined();
    }
  });
});

describe('problem+json on every error path', () => {
  it('unknown route → 404 not_found, /api itself included (never a store page)', async ({ ctx }) => {
    for (const path of ['/api/v1/no-such-thing', '/api', '/api/', '/api/v2/stores'])
      expectProblem(await client(ctx.app).get(path), 404, 'not_found');
    expectProblem(await client(ctx.app).post('/api', {}), 404, 'not_found');
  });

  it('malformed JSON → 400 validation_failed', async ({ ctx }) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/otp',
      headers: { 'content-type': 'application/json' },
      payload: '{"phone": ',
    });
    expectProblem({ status: res.statusCode, headers: res.headers, body: res.json() }, 400, 'validation_failed');
  });

  it('wrong content type → 415 unsupported_media_type', async ({ ctx }) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/otp',
      headers: { 'content-type': 'application/xml' },
      payload: '<phone/>',
    });
    expectProblem({ status: res.statusCode, headers: res.headers, body: res.json() }, 415, 'unsupported_media_type');
  });

  it('text/plain body to a JSON route → 415 unsupported_media_type, not a 500', async ({ ctx }) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/otp',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expectProblem({ status: res.statusCode, headers: res.headers, body: res.json() }, 415, 'unsupported_media_type');
  });

  it('a JSON body over 1 MB → 413 payload_too_large', async ({ ctx }) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/otp',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ phone: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expectProblem({ status: res.statusCode, headers: res.headers, body: res.json() }, 413, 'payload_too_large');
  });

  it('schema validation lists the fields at fault', async ({ ctx }) => {
    const res = await client(ctx.app).post('/api/v1/auth/verify', { phone: 5, extra: true });
    expectProblem(res, 400, 'validation_failed');
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/phone', '/code', '/extra']));
  });

  it('an uncaught exception → 500 without internals, logged with the request id', async ({ ctx }) => {
    const res = await client(ctx.app).get('/api/v1/__boom', { 'x-request-id': 'req-boom-1' });
    expectProblem(res, 500, 'internal_error');
    expect(res.text).not.toContain('secret internal detail');
    expect(res.body.detail).toContain('req-boom-1');
    expect(logged).toContainEqual({ reqId: 'req-boom-1', message: 'secret internal detail' });
  });

  it('work PostgreSQL undid (deadlock, serialization failure) → 503, Retry-After, never a 500', async ({ ctx }) => {
    for (const code of ['40P01', '40001']) {
      const res = await client(ctx.app).get(`/api/v1/__undone/${code}`);
      expectProblem(res, 503, 'unavailable');
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body.detail).toMatch(/undone.*again/);
    }
  });

  it('a non-UUID id in a path → 404, never a 500', async ({ ctx }) => {
    const { api } = await signIn(ctx);
    expectProblem(await api.get('/api/v1/stores/not-a-uuid'), 404, 'not_found');
    expectProblem(await api.get(`/api/v1/stores/${'9'.repeat(150)}`), 404, 'not_found');
    // Past the 200 characters the router once limited a path part to: still an unknown store, not a code of its own.
    expectProblem(await api.get(`/api/v1/stores/${'x'.repeat(300)}`), 404, 'not_found');
    // The whole path past 2048 characters is 414 (the input guard), wherever the long part is.
    expectProblem(await api.get(`/api/v1/stores/${'x'.repeat(2100)}`), 414, 'uri_too_long');
  });
});

describe('request ids, metrics, OpenAPI', () => {
  it('echoes an incoming X-Request-Id and makes one otherwise', async ({ ctx }) => {
    const api = client(ctx.app);
    expect((await api.get('/healthz', { 'x-request-id': 'abc-123' })).headers['x-request-id']).toBe('abc-123');
    expect(String((await api.get('/healthz')).headers['x-request-id'])).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      String((await api.get('/healthz', { 'x-request-id': 'bad id with spaces' })).headers['x-request-id']),
    ).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('/metrics counts requests by route pattern and status, with latency histograms and pool usage', async ({
    ctx,
  }) => {
    const api = client(ctx.app);
    await api.get('/api/v1/stores/0195f4c2-0000-7000-8000-000000000000');
    const metrics = await api.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/v1\/stores\/:storeId",status="401"\} \d+/,
    );
    expect(metrics.text).toContain('http_request_duration_seconds_bucket');
    expect(metrics.text).toMatch(/db_pool_connections\{state="total"\}/);
  });

  it('serves an OpenAPI 3 document generated from the route schemas, and a docs page', async ({ ctx }) => {
    const api = client(ctx.app);
    const doc = await api.get('/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/otp', '/api/v1/stores', '/api/v1/stores/{storeId}']),
    );
    expect(
      doc.body.paths['/api/v1/auth/otp'].post.requestBody.content['application/json'].schema.properties.phone,
    ).toBeDefined();
    const docs = await ctx.app.inject({ method: 'GET', url: '/api/v1/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
  });
});

describe('idempotency', () => {
  it('replays the first answer for the same key and body, refuses a different body', async ({ ctx }) => {
    const { api } = await signIn(ctx);
    const first = await api.post('/api/v1/stores', { name: 'Idem Shop' }, { 'idempotency-key': 'k-1' });
    expect(first.status).toBe(201);
    const again = await api.post('/api/v1/stores', { name: 'Idem Shop' }, { 'idempotency-key': 'k-1' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const me = await api.get('/api/v1/me');
    expect(me.body.stores).toHaveLength(1);
    const reused = await api.post('/api/v1/stores', { name: 'Other Shop' }, { 'idempotency-key': 'k-1' });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('idempotency_key_reused');
  });

  it('scopes keys to the caller: another merchant with the same key gets its own answer', async ({ ctx }) => {
    const a = await signIn(ctx);
    const b = await signIn(ctx);
    const ra = await a.api.post('/api/v1/stores', { name: 'Scope Shop' }, { 'idempotency-key': 'shared' });
    const rb = await b.api.post('/api/v1/stores', { name: 'Scope Shop' }, { 'idempotency-key': 'shared' });
    expect(ra.status).toBe(201);
    expect(rb.status).toBe(201);
    expect(rb.body.id).not.toBe(ra.body.id);
  });

  it('parallel repeats with one key run once and all get the same answer', async ({ ctx }) => {
    const { api } = await signIn(ctx);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        api.post('/api/v1/stores', { name: 'Race Shop' }, { 'idempotency-key': 'race-1' }),
      ),
    );
    for (const r of results) {
      expect(r.status).toBe(201);
      expect(r.body).toEqual(results[0]!.body);
    }
    expect((await api.get('/api/v1/me')).body.stores).toHaveLength(1);
  });

  it('stores a refusal of the body’s schema too: replayed, and the key cannot be used for another body', async ({
    ctx,
  }) => {
    const { api } = await signIn(ctx);
    const invalid = await api.post('/api/v1/stores', { name: '' }, { 'idempotency-key': 'schema-1' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('validation_failed');
    const again = await api.post('/api/v1/stores', { name: '' }, { 'idempotency-key': 'schema-1' });
    expect(again.status).toBe(400);
    expect(again.body).toEqual(invalid.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const valid = await api.post('/api/v1/stores', { name: 'Valid Now' }, { 'idempotency-key': 'schema-1' });
    expect(valid.status).toBe(409);
    expect(valid.body.code).toBe('idempotency_key_reused');
    expect((await api.get('/api/v1/me')).body.stores).toHaveLength(0);

    // The other way round: a key that placed its work answers 409 for a body the schema would refuse.
    const made = await api.post('/api/v1/stores', { name: 'Made' }, { 'idempotency-key': 'schema-2' });
    expect(made.status).toBe(201);
    for (const body of [{ name: '' }, { name: 'Made', extra: 1 }]) {
      const r = await api.post('/api/v1/stores', body, { 'idempotency-key': 'schema-2' });
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('idempotency_key_reused');
    }
  });

  it('rejects a key over 255 characters', async ({ ctx }) => {
    const { api } = await signIn(ctx);
    const r = await api.post('/api/v1/stores', { name: 'Long Key' }, { 'idempotency-key': 'k'.repeat(256) });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation_failed');
  });
});
