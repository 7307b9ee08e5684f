/**
 * Issue 12, the write path: a keyed checkout reads its Idempotency-Key's record in the same statement as its store
 * and cart (no statement of its own), and answers a record it finds exactly as a repeat of any keyed POST is
 * answered: replayed, 409 idempotency_key_reused, or waited for.
 */
import { describe, expect } from 'vitest';
import type { Db } from '../../src/db/db.js';
import { sha256 } from '../../src/shared/ids.js';
import { appTest } from '../helpers/fixture.js';
import {
  addProduct,
  asClient,
  checkoutBody,
  checkoutCart,
  checkoutUrl,
  newCart,
  openShop,
  stockOf,
  statusCounts,
  type Shop,
} from '../helpers/order-fixtures.js';

const it = appTest({ publicUrl: 'https://dukaan.test' });
let shop: Shop;
it.beforeAll(async ({ ctx }) => {
  shop = await openShop(ctx, { patch: { delivery: { fee: 0, pickup: true } } });
});

/** Every statement the app runs on `db` while `fn` runs (a transaction counts as its BEGIN). */
async function statementsOf<T>(db: Db, fn: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
  const sql: string[] = [];
  const { query, tx } = db;
  db.query = ((text: string, params?: readonly unknown[]) => {
    sql.push(text);
    return query.call(db, text, params);
  }) as Db['query'];
  db.tx = ((work: Parameters<Db['tx']>[0], opts?: Parameters<Db['tx']>[1]) => {
    sql.push('BEGIN');
    return tx.call(db, work, opts);
  }) as Db['tx'];
  try {
    return { result: await fn(), sql };
  } finally {
    db.query = query;
    db.tx = tx;
  }
}

const scopeOf = (cartId: string) => `POST ${checkoutUrl(shop, cartId)} -`;

async function keyRow(db: Db, cartId: string, key: string) {
  const { rows } = await db.query<{ state: string; response_status: number | null; response_body: string | null }>(
    `SELECT state, response_status, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2`,
    [scopeOf(cartId), key],
  );
  return rows[0] ?? null;
}

const ordersOfCart = async (db: Db, cartId: string) =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE cart_id = $1`, [cartId])).rows[0]!.n;

describe('a keyed checkout reads its key with its cart', () => {
  it('places an order in 2 statements: the read (store, cart, key) and placeOrder', async ({ db }) => {
    const v = await addProduct(shop, 'Two Statements', 1000, 10);
    const cartId = await newCart(shop, [[v, 1]]);
    const { result: res, sql } = await statementsOf(db, () =>
      checkoutCart(shop, cartId, checkoutBody(), { 'idempotency-key': `two-${cartId}` }),
    );
    expect(res.status).toBe(201);
    expect(sql).toHaveLength(2);
    expect(sql[0]).toContain('FROM stores WHERE slug = $1');
    expect(sql[0]).toContain('FROM idempotency_keys');
    expect(sql[1]).toContain('INSERT INTO idempotency_keys');
    expect(sql[1]).toContain('INSERT INTO orders');
    expect((await keyRow(db, cartId, `two-${cartId}`))!.response_body).toBe(res.text);

    // Its repeat: the same one read finds the record, and the stored bytes are replayed. Nothing else runs.
    const again = await statementsOf(db, () =>
      checkoutCart(shop, cartId, checkoutBody(), { 'idempotency-key': `two-${cartId}` }),
    );
    expect([again.result.status, again.result.text, again.result.headers['idempotent-replayed']]).toEqual([
      201,
      res.text,
      'true',
    ]);
    expect(again.sql).toHaveLength(1);
    expect(again.sql[0]).toContain('FROM idempotency_keys');
  });

  it('refuses in 2 statements: the read and the durable refusal; its repeat replays it in 1', async ({ db }) => {
    const v = await addProduct(shop, 'Refused Twice', 1000, 10);
    const cartId = await newCart(shop, [[v, 1]]);
    const body = checkoutBody({ customer: { name: 'Asha', phone: '12', address: null } });
    const key = { 'idempotency-key': `refused-${cartId}` };
    const first = await statementsOf(db, () => checkoutCart(shop, cartId, body, key));
    expect(first.result.status).toBe(422);
    expect(first.result.headers['idempotent-replayed']).toBeUndefined();
    expect(first.sql).toHaveLength(2);
    expect(first.sql[0]).toContain('FROM idempotency_keys');
    expect(first.sql[1]).toContain('INSERT INTO idempotency_keys');
    expect(await keyRow(db, cartId, key['idempotency-key'])).toMatchObject({ state: 'done', response_status: 422 });

    const again = await statementsOf(db, () => checkoutCart(shop, cartId, body, key));
    expect([again.result.status, again.result.text, again.result.headers['idempotent-replayed']]).toEqual([
      422,
      first.result.text,
      'true',
    ]);
    expect(again.result.headers['content-type']).toContain('application/problem+json');
    expect(again.sql).toHaveLength(1);
    // Fixed, the same key still answers what it answered: the key is spent.
    const fixed = await checkoutCart(shop, cartId, checkoutBody(), key);
    expect(fixed.status).toBe(409);
    expect(fixed.body.code).toBe('idempotency_key_reused');
    expect(await ordersOfCart(db, cartId)).toBe(0);
  });

  it('a sold-out refusal is two statements, replacements in its read; its repeat one', async ({ db }) => {
    const gone = await addProduct(shop, 'Sold Out Soon', 1000, 5);
    await addProduct(shop, 'Sold Out Soon Too', 1000, 5);
    const cartId = await newCart(shop, [[gone, 1]]);
    await db.query(`UPDATE variants SET stock = 0 WHERE id = $1`, [gone]);
    const key = { 'idempotency-key': `sold-${cartId}` };
    const first = await statementsOf(db, () => checkoutCart(shop, cartId, checkoutBody(), key));
    expect(first.result.status).toBe(409);
    expect(first.result.body.code).toBe('cart_has_errors');
    // The read (the sold-out line's replacements in it) and the refusal.
    expect(first.sql).toHaveLength(2);
    const again = await statementsOf(db, () => checkoutCart(shop, cartId, checkoutBody(), key));
    expect([again.result.status, again.result.text]).toEqual([409, first.result.text]);
    expect(again.sql).toHaveLength(1);
  });

  it('the same key with another body is 409 idempotency_key_reused, read in the one statement', async ({ db }) => {
    const v = await addProduct(shop, 'Other Body', 1000, 10);
    const cartId = await newCart(shop, [[v, 1]]);
    const key = { 'idempotency-key': `other-${cartId}` };
    expect((await checkoutCart(shop, cartId, checkoutBody(), key)).status).toBe(201);
    const other = await statementsOf(db, () => checkoutCart(shop, cartId, checkoutBody({ note: 'else' }), key));
    expect(other.result.status).toBe(409);
    expect(other.result.body.code).toBe('idempotency_key_reused');
    expect(other.sql).toHaveLength(1);
    expect(await ordersOfCart(db, cartId)).toBe(1);
  });

  it('a record without its body answers the order again (found by its checkout_key), marked replayed', async ({
    ctx,
    db,
  }) => {
    const v = await addProduct(shop, 'No Body', 1000, 10);
    const cartId = await newCart(shop, [[v, 2]]);
    const key = { 'idempotency-key': `nobody-${cartId}` };
    const first = await checkoutCart(shop, cartId, checkoutBody(), key);
    expect(first.status).toBe(201);
    // As after a crash that lost the body added after the order's commit.
    await db.query(`UPDATE idempotency_keys SET response_body = NULL WHERE scope = $1 AND key = $2`, [
      scopeOf(cartId),
      key['idempotency-key'],
    ]);
    const again = await checkoutCart(shop, cartId, checkoutBody(), key);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.number).toBe(first.body.number);
    // Nothing was stored for it (the record is the order's), and another body is still refused.
    expect((await keyRow(db, cartId, key['idempotency-key']))!.response_body).toBeNull();
    const other = await checkoutCart(shop, cartId, checkoutBody({ note: 'else' }), key);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(await ordersOfCart(db, cartId)).toBe(1);
    expect(await stockOf(ctx, v)).toBe(8);
  });

  it('a running first request is waited for, then its answer replayed', async ({ db }) => {
    const v = await addProduct(shop, 'Running', 1000, 10);
    const cartId = await newCart(shop, [[v, 1]]);
    const key = `running-${cartId}`;
    const hash = sha256(JSON.stringify(checkoutBody()));
    // A claim held by another request (a lease of 10 s), which finishes 300 ms from now.
    await db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until)
       VALUES ($1, $2, $3, 'running', now() + interval '10 seconds')`,
      [scopeOf(cartId), key, hash],
    );
    const finish = new Promise((r) => setTimeout(r, 300)).then(() =>
      db.query(
        `UPDATE idempotency_keys SET state = 'done', response_status = 201, response_type = 'application/json',
                response_body = '{"first":true}' WHERE scope = $1 AND key = $2`,
        [scopeOf(cartId), key],
      ),
    );
    const started = Date.now();
    const res = await checkoutCart(shop, cartId, checkoutBody(), { 'idempotency-key': key });
    await finish;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect([res.status, res.text, res.headers['idempotent-replayed']]).toEqual([201, '{"first":true}', 'true']);
    expect(await ordersOfCart(db, cartId)).toBe(0);
  });

  it('a running claim whose lease ran out is taken over: the order is placed and its answer stored', async ({ db }) => {
    const v = await addProduct(shop, 'Lease Out', 1000, 10);
    const cartId = await newCart(shop, [[v, 1]]);
    const key = `lease-${cartId}`;
    await db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until)
       VALUES ($1, $2, $3, 'running', now() - interval '1 second')`,
      [scopeOf(cartId), key, sha256(JSON.stringify(checkoutBody()))],
    );
    const res = await checkoutCart(shop, cartId, checkoutBody(), { 'idempotency-key': key });
    expect(res.status).toBe(201);
    expect(await keyRow(db, cartId, key)).toEqual({ state: 'done', response_status: 201, response_body: res.text });
    const again = await checkoutCart(shop, cartId, checkoutBody(), { 'idempotency-key': key });
    expect([again.status, again.text, again.headers['idempotent-replayed']]).toEqual([201, res.text, 'true']);
    expect(await ordersOfCart(db, cartId)).toBe(1);
  });

  it('no store or cart to read the key with: a record is still answered (replayed, or 409 for another body)', async ({
    db,
  }) => {
    for (const cartId of ['5f0c7a36-3c2e-4d7e-9c1b-0a4f2b6d8e11', 'not-a-uuid']) {
      const key = { 'idempotency-key': `missing-${cartId}` };
      const first = await checkoutCart(shop, cartId, checkoutBody(), key);
      expect(first.status).toBe(404);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(await keyRow(db, cartId, key['idempotency-key'])).toMatchObject({ state: 'done', response_status: 404 });
      const again = await checkoutCart(shop, cartId, checkoutBody(), key);
      expect([again.status, again.text, again.headers['idempotent-replayed']]).toEqual([404, first.text, 'true']);
      const other = await checkoutCart(shop, cartId, checkoutBody({ note: 'else' }), key);
      expect(other.status).toBe(409);
      expect(other.body.code).toBe('idempotency_key_reused');
      expect(other.headers['content-type']).toContain('application/problem+json');
    }
    // A refused cart purged since (retention deletes unordered carts): its refusal is still what the key answers.
    const v = await addProduct(shop, 'Purged Cart', 1000, 10);
    const cartId = await newCart(shop, [[v, 1]]);
    const key = { 'idempotency-key': `purged-${cartId}` };
    const body = checkoutBody({ customer: { name: 'Asha', phone: '12' } });
    const refused = await checkoutCart(shop, cartId, body, key);
    expect(refused.status).toBe(422);
    await db.query(`DELETE FROM carts WHERE id = $1`, [cartId]);
    const again = await checkoutCart(shop, cartId, body, key);
    expect([again.status, again.text, again.headers['idempotent-replayed']]).toEqual([422, refused.text, 'true']);
  });
});

describe('races on one new key', () => {
  it('two bodies with one key at once: one order, its body replayed, the other body 409 reused', async ({
    ctx,
    db,
  }) => {
    for (let round = 0; round < 3; round++) {
      const v = await addProduct(shop, `Key Race ${round}`, 1000, 50);
      const cartId = await newCart(shop, [[v, 1]]);
      const key = { 'idempotency-key': `race-${cartId}` };
      const bodies = [checkoutBody(), checkoutBody({ note: 'B' })];
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => asClient(() => checkoutCart(shop, cartId, bodies[i % 2], key))),
      );
      expect(await ordersOfCart(db, cartId)).toBe(1);
      const won = results.filter((r) => r.status === 201);
      // Every request with the winner's body answers the winner's bytes; every other one is 409 reused.
      expect(won).toHaveLength(3);
      expect(new Set(won.map((r) => r.text)).size).toBe(1);
      expect(won.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
      expect(statusCounts(results)).toEqual({ '201': 3, '409 idempotency_key_reused': 3 });
      expect((await keyRow(db, cartId, key['idempotency-key']))!.response_body).toBe(won[0]!.text);
      expect(await stockOf(ctx, v)).toBe(49);
    }
  });

  it('refusals racing on one key: one stored, every other request answers it (or 409 for another body)', async ({
    db,
  }) => {
    for (let round = 0; round < 3; round++) {
      const v = await addProduct(shop, `Refusal Race ${round}`, 1000, 50);
      const cartId = await newCart(shop, [[v, 1]]);
      const key = { 'idempotency-key': `refusal-race-${cartId}` };
      // Both refused (422: a phone that is no phone), each body its own refusal.
      const bodies = [
        checkoutBody({ customer: { name: 'A', phone: '1' } }),
        checkoutBody({ customer: { name: 'B', phone: '2' } }),
      ];
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => asClient(() => checkoutCart(shop, cartId, bodies[i % 2], key))),
      );
      const stored = await keyRow(db, cartId, key['idempotency-key']);
      expect(stored).toMatchObject({ state: 'done', response_status: 422 });
      const refused = results.filter((r) => r.status === 422);
      expect(refused).toHaveLength(3);
      // The same bytes as stored, all but the one that stored them marked replayed.
      for (const r of refused) expect(r.text).toBe(stored!.response_body);
      expect(refused.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
      expect(statusCounts(results)).toEqual({ '422 validation_failed': 3, '409 idempotency_key_reused': 3 });
      expect(await ordersOfCart(db, cartId)).toBe(0);
    }
  });
});
