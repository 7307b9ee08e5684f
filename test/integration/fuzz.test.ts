/**
 * Issue 10, item 15: a property-based fuzz suite generated from the live OpenAPI document (fast-check).
 * Every JSON API operation is called with generated path parameters (known ids, other stores' ids, junk, NUL,
 * huge and odd Unicode), query strings and bodies built from the operation's own schemas and then broken (wrong
 * types, boundaries, empty and huge strings, NUL, lone surrogates, unknown fields, invalid JSON, wrong content
 * types), signed in as the owner, as a stranger or not at all. Each answer must be below 500, every error a
 * problem+json with a known `code`; afterwards the server still answers and the database invariants hold:
 * stock = initial − sold, no order without lines or history, no coupon past its usage limit.
 *
 * FUZZ_RUNS (default 2000) sets the number of requests per database; FUZZ_SEED replays a failing run.
 */
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { describe, expect } from 'vitest';
import { client, signIn } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import {
  addProduct,
  CUSTOMER_PHONE,
  checkoutBody,
  newCart,
  openShop,
  placeOrder,
  type Shop,
} from '../helpers/order-fixtures.js';
import { PNG_1PX } from '../helpers/order-fixtures.js';

const it = appTest();

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

const KNOWN_CODES = new Set([
  'validation_failed',
  'unauthorized',
  'invalid_code',
  'not_found',
  'slug_taken',
  'insufficient_stock',
  'cart_has_errors',
  'cart_already_ordered',
  'store_closed',
  'invalid_transition',
  'idempotency_key_reused',
  'idempotency_key_in_use',
  'conflict',
  'total_changed',
  'invalid_coupon',
  'below_minimum_order',
  'outside_delivery_area',
  'forbidden',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  'uri_too_long',
  'request_too_large',
]);

type Schema = {
  type?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
};
interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  pathParams: string[];
  query: { name: string; schema: Schema }[];
  body: Schema | null;
  multipart: boolean;
}

// ---------------------------------------------------------------- generators

/** Values no schema expects: wrong types, boundaries, empty/huge strings, NUL, odd Unicode. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff\ud800',
    '‮RTL',
    'e\u0301\u0301\u0301',
    '😀'.repeat(50),
    'x'.repeat(70_000),
    '%00',
    "'; DROP TABLE orders; --",
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    -1,
    0,
    -0,
    1.5,
    2 ** 31,
    2 ** 53 + 2,
    -(2 ** 63),
    1e308,
    true,
    false,
    null,
    [],
    {},
    { __proto__: { admin: true } },
    { constructor: { prototype: { x: 1 } } },
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

function schemaArb(schema: Schema, defs: Record<string, Schema>, depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return schemaArb(defs[schema.$ref.split('/').at(-1)!] ?? {}, defs, depth);
  if (depth > 4) return junk;
  const alt = schema.anyOf ?? schema.oneOf;
  if (alt) return fc.oneof(...alt.map((s) => schemaArb(s, defs, depth + 1)));
  let base: fc.Arbitrary<unknown>;
  if (schema.enum) base = fc.constantFrom(...schema.enum);
  else
    switch (schema.type) {
      case 'string': {
        const min = schema.minLength ?? 0;
        const max = Math.min(schema.maxLength ?? 40, 40);
        base = fc.oneof(
          fc.string({ minLength: Math.min(min, max), maxLength: max }),
          fc.constantFrom('+919812345678', '560001', 'Tea', 'demo', 'SAVE10', '2026-01-01T00:00:00Z'),
          fc.constant('y'.repeat(schema.maxLength ?? 300)),
          fc.constant('y'.repeat((schema.maxLength ?? 300) + 1)),
        );
        break;
      }
      case 'integer':
      case 'number': {
        const lo = schema.minimum ?? -1_000_000;
        const hi = schema.maximum ?? 1_000_000;
        base = fc.oneof(
          fc.integer({ min: Math.max(lo, -1e9), max: Math.min(hi, 1e9) }),
          fc.constantFrom(lo, hi, lo - 1, hi + 1),
        );
        break;
      }
      case 'boolean':
        base = fc.boolean();
        break;
      case 'array':
        base = fc.array(schemaArb(schema.items ?? {}, defs, depth + 1), {
          maxLength: Math.min(schema.maxItems ?? 4, 4),
        });
        break;
      case 'object': {
        const props = schema.properties ?? {};
        const keys = Object.keys(props);
        const record = fc.record(Object.fromEntries(keys.map((k) => [k, schemaArb(props[k]!, defs, depth + 1)])), {
          requiredKeys: (schema.required ?? []).filter((k) => keys.includes(k)),
        });
        base = fc.oneof(
          { arbitrary: record, weight: 5 },
          {
            arbitrary: fc
              .tuple(record, fc.string({ minLength: 1, maxLength: 10 }), junk)
              .map(([r, k, v]) => ({ ...(r as object), [k]: v })),
            weight: 1,
          },
        );
        break;
      }
      default:
        base = junk;
    }
  if (schema.nullable) base = fc.oneof(base, fc.constant(null));
  return fc.oneof({ arbitrary: base, weight: 6 }, { arbitrary: junk, weight: 1 });
}
let shopA: Shop; // the invariants' store: its owner never sets stock directly
let shopB: Shop; // the other store: a rival's ids, and where owner-side stock changes may happen
let stranger: { token: string };
let initialStock: Map<string, number>;
let pools: Record<string, string[]>;
let ops: Operation[];
let defs: Record<string, Schema>;

it.beforeAll(async ({ ctx }) => {
  shopA = await openShop(ctx, { patch: { payments: { cod: true, upiVpa: 'shop@upi' } } });
  shopB = await openShop(ctx);
  stranger = await signIn(ctx);
  const variantsA = [
    await addProduct(shopA, 'Tea', 5000, 40),
    await addProduct(shopA, 'Rice', 12000, 25),
    await addProduct(shopA, 'Salt', 2000, 5),
  ];
  const variantsB = [await addProduct(shopB, 'Soap', 3000, 10)];
  const coupon = await shopA.api.post(`${shopA.base}/coupons`, {
    code: 'FUZZ10',
    type: 'percent',
    value: 10,
    usageLimit: 3,
  });
  const category = await shopA.api.post(`${shopA.base}/categories`, { name: 'Grocery' });
  const order = await placeOrder(shopA, [[variantsA[0]!, 2]]);
  const cart = await newCart(shopA, [[variantsA[1]!, 1]]);
  const orderB = await placeOrder(shopB, [[variantsB[0]!, 1]]);
  const products = (await shopA.api.get(`${shopA.base}/products`)).body.items as { id: string; slug: string }[];
  initialStock = new Map();
  const { rows } = await ctx.testDb.db.query<{ id: string; stock: number }>(
    `SELECT v.id, v.stock FROM variants v JOIN products p ON p.id = v.product_id WHERE p.store_id = $1`,
    [shopA.storeId],
  );
  // initial = stock now + what the setup order took
  for (const r of rows) initialStock.set(r.id, r.stock + (r.id === variantsA[0] ? 2 : 0));
  const junkIds = [
    'not-a-uuid',
    '00000000-0000-0000-0000-000000000000',
    'x'.repeat(150),
    '%00',
    '..',
    'ab%00cd',
    '%E0%A4',
    '😀',
  ];
  pools = {
    storeId: [shopA.storeId, shopA.storeId, shopB.storeId, ...junkIds],
    slug: [shopA.slug, shopA.slug, shopB.slug, 'no-such-shop', ...junkIds],
    productId: [...products.map((p) => p.id), ...junkIds],
    productSlug: [...products.map((p) => p.slug), ...junkIds],
    variantId: [...variantsA, ...variantsB, ...junkIds],
    categoryId: [category.body.id, ...junkIds],
    couponId: [coupon.body.id, ...junkIds],
    cartId: [cart, cart, ...junkIds],
    orderId: [order.id, orderB.id, ...junkIds],
    trackingToken: [order.trackingToken, orderB.trackingToken, ...junkIds],
  };
  const doc = (await client(ctx.app).get('/api/v1/openapi.json')).body as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: { in: string; name: string; schema: Schema }[];
          requestBody?: { content: Record<string, { schema: Schema }> };
          consumes?: string[];
        }
      >
    >;
    components?: { schemas?: Record<string, Schema> };
  };
  defs = doc.components?.schemas ?? {};
  ops = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      ops.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        body: content['application/json']?.schema ?? null,
        multipart: /payment-proof|images/.test(path) && method === 'post',
      });
    }
  }
}, 300_000);

interface Call {
  op: Operation;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: { kind: 'json'; value: unknown } | { kind: 'raw'; type: string; text: string } | { kind: 'none' };
  auth: 'ownerA' | 'ownerB' | 'stranger' | 'none';
  idempotencyKey: string | null;
}

function callArb(): fc.Arbitrary<Call> {
  return fc.constantFrom(...ops).chain((op) => {
    const params = fc.record(
      Object.fromEntries(
        op.pathParams.map((name) => [
          name,
          fc.oneof(
            { arbitrary: fc.constantFrom(...(pools[name] ?? ['x'])), weight: 4 },
            { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
          ),
        ]),
      ) as Record<string, fc.Arbitrary<string>>,
    );
    const query = fc.record(
      Object.fromEntries([...op.query.map((q) => [q.name, schemaArb(q.schema, defs)]), ['unknown', junk]]) as Record<
        string,
        fc.Arbitrary<unknown>
      >,
      { requiredKeys: [] },
    );
    const good = op.path.endsWith('/checkout')
      ? [
          checkoutBody({
            customer: {
              name: 'Fuzz',
              phone: CUSTOMER_PHONE,
              address: { line1: '1 Road', city: 'Pune', pincode: '411001' },
            },
          }),
        ]
      : op.path.endsWith('/lines/{variantId}')
        ? [{ quantity: 1 }, { quantity: 3 }]
        : [];
    const body: fc.Arbitrary<Call['body']> = fc.oneof(
      {
        arbitrary: (op.body ? schemaArb(op.body, defs) : junk).map((value) => ({ kind: 'json' as const, value })),
        weight: 8,
      },
      {
        arbitrary: good.length
          ? fc.constantFrom(...good).map((value) => ({ kind: 'json' as const, value }))
          : fc.constant({ kind: 'none' as const }),
        weight: 3,
      },
      { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
      {
        arbitrary: fc.record({
          kind: fc.constant('raw' as const),
          type: fc.constantFrom(
            'application/json',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data',
            'multipart/form-data; boundary=b',
            'application/xml',
          ),
          text: fc.oneof(
            fc.string({ maxLength: 50 }),
            fc.constantFrom(
              '{',
              '{"a":',
              '[1,2',
              'null',
              '"\\u0000"',
              '--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n',
              'a=1&b=2',
            ),
          ),
        }),
        weight: 2,
      },
    );
    const auth = fc.constantFrom<Call['auth']>('ownerA', 'ownerA', 'ownerB', 'stranger', 'none', 'none');
    const key = fc.option(fc.constantFrom('k1', 'k2', 'x'.repeat(300), ''), { freq: 4 });
    return fc.record({ op: fc.constant(op), params, query, body, auth, idempotencyKey: key });
  });
}

function toRequest(call: Call): InjectOptions {
  let url = call.op.path;
  for (const [name, value] of Object.entries(call.params))
    url = url.replace(`{${name}}`, value.includes('%') ? value : encodeURIComponent(value));
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(call.query))
    if (v !== undefined) qs.append(k, typeof v === 'string' ? v : JSON.stringify(v));
  const q = qs.toString();
  if (q) url += `?${q}`;
  const headers: Record<string, string> = {};
  // The owner of the invariants' store never sets stock directly (that would move stock without a sale).
  const auth = call.auth === 'ownerA' && call.op.path.endsWith('/stock') ? 'ownerB' : call.auth;
  const token =
    auth === 'ownerA' ? shopA.token : auth === 'ownerB' ? shopB.token : auth === 'stranger' ? stranger.token : null;
  if (token) headers.authorization = `Bearer ${token}`;
  if (call.idempotencyKey !== null) headers['idempotency-key'] = call.idempotencyKey;
  const req: InjectOptions = { method: call.op.method, url, headers };
  if (call.op.multipart && call.body.kind !== 'raw') {
    const boundary = 'fuzzboundary';
    const bytes =
      call.body.kind === 'json' && typeof call.body.value === 'string' ? Buffer.from(call.body.value) : PNG_1PX;
    req.payload = Buffer.concat([
      Buffer.from(
        `--\
${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
  } else if (call.body.kind === 'json' && call.op.method !== 'GET') {
    req.payload = JSON.stringify(call.body.value) ?? 'null';
    headers['content-type'] = 'application/json';
  } else if (call.body.kind === 'raw' && call.op.method !== 'GET') {
    req.payload = call.body.text;
    headers['content-type'] = call.body.type;
  }
  return req;
}

describe('fuzz: the API from its own OpenAPI document', () => {
  it(`answers ${RUNS} generated requests with no 5xx and only known problem codes, and the invariants hold`, async ({
    ctx,
  }) => {
    expect(ops.length).toBeGreaterThan(40);
    const seen = new Map<string, number>();
    const statuses = new Map<number, number>();
    let count = 0;
    await fc.assert(
      fc.asyncProperty(callArb(), async (call) => {
        const req = toRequest(call);
        const res = await ctx.app.inject(req);
        count++;
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const where = `${req.method} ${String(req.url).slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
        seen.set(`${call.op.method} ${call.op.path}`, (seen.get(`${call.op.method} ${call.op.path}`) ?? 0) + 1);
        if (res.statusCode >= 500) throw new Error(`5xx: ${where}`);
        if (res.statusCode >= 400) {
          if (!String(res.headers['content-type']).startsWith('application/problem+json'))
            throw new Error(`not problem+json: ${where}`);
          const code = (res.json() as { code?: string }).code;
          if (!code || !KNOWN_CODES.has(code)) throw new Error(`unknown code: ${where}`);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    expect(count).toBeGreaterThanOrEqual(RUNS);
    console.log(`fuzz: ${count} requests over ${seen.size} operations; statuses`, Object.fromEntries(statuses));
    // the generated requests reach the handlers, not only the validators
    expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    // every operation was called
    expect(seen.size).toBe(ops.length);

    // The server is still up.
    expect((await client(ctx.app).get('/healthz')).status).toBe(200);
    expect((await client(ctx.app).get('/readyz')).status).toBe(200);

    // Stock = initial − sold, per variant of the invariants' store.
    const { rows: stock } = await ctx.testDb.db.query<{ id: string; stock: number; sold: number }>(
      `SELECT v.id, v.stock,
              COALESCE((SELECT sum(l.quantity) FROM order_lines l JOIN orders o ON o.id = l.order_id
                         WHERE l.variant_id = v.id AND o.status NOT IN ('cancelled', 'rejected')), 0)::int AS sold
         FROM variants v WHERE v.id = ANY($1::uuid[])`,
      [[...initialStock.keys()]],
    );
    for (const r of stock) {
      expect(r.stock).toBeGreaterThanOrEqual(0);
      expect(r.stock, `variant ${r.id}`).toBe(initialStock.get(r.id)! - r.sold);
    }
    // No order without lines or history.
    const { rows: bare } = await ctx.testDb.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders o
        WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)
           OR NOT EXISTS (SELECT 1 FROM order_history h WHERE h.order_id = o.id)`,
    );
    expect(bare[0]!.n).toBe(0);
    // No coupon over its limit.
    const { rows: over } = await ctx.testDb.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM coupons WHERE usage_limit IS NOT NULL AND used_count > usage_limit`,
    );
    expect(over[0]!.n).toBe(0);
  }, 900_000);
});
