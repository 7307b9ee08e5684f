/**
 * New orders are noticed, as real processes over real HTTP(S) (issue 14, item 6):
 *  - Web Push: a local fake push service (HTTPS, a certificate the servers trust through NODE_EXTRA_CA_CERTS)
 *    receives the VAPID-signed, aes128gcm-encrypted push an order placed through the API causes; the test checks the
 *    JWT (audience, expiry, subject, ES256 signature by the server's key), the headers, and decrypts the payload
 *    with the browser-side keys it made itself (RFC 8291). A subscription the push service answers 410 is removed.
 *  - Server-Sent Events: a dashboard listening on one app server (a pool of two workers) hears of an order placed
 *    through another app server on the same database; a reload ends the old workers' streams at once; through
 *    nginx (the shipped renderer's config) in front of both servers, streams on either server hear every order.
 */
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createPublicKey,
  hkdfSync,
  randomBytes,
  verify,
  type ECDH,
} from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSelfSignedCert } from '../../deploy/lib/tls.js';
import { nginxWorkerUser, startNginx, stopNginx, testNginxConfig, type NginxInstance } from '../../deploy/lib/nginx.js';
import { renderNginxConfig } from '../../deploy/nginx/render.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { freePort, killAllServers, spawnServer, waitFor, type ServerProcess } from '../helpers/process.js';

const PHONE = '+919000000007';
const CODE = '123456';

let testDb: TestDb;
let tmp: string;
let pushService: FakePushService;
let poolA: ServerProcess;
let serverB: ServerProcess;
let token: string;
let store: { id: string; slug: string };
let variantId: string;
let cert: { cert: string; key: string };
let nginx: NginxInstance | undefined;

// ---- the fake push service -------------------------------------------------------------------------------------

interface PushRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

interface FakePushService {
  origin: string;
  received: PushRequest[];
  close(): Promise<void>;
}

/** Accepts pushes on /push/ok-* (201 Created, as push services answer) and answers 410 Gone on /push/gone-*. */
async function startFakePushService(cert: { cert: string; key: string }): Promise<FakePushService> {
  const received: PushRequest[] = [];
  const server = https.createServer(
    { cert: fs.readFileSync(cert.cert), key: fs.readFileSync(cert.key) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(req.method === 'POST' && req.url?.startsWith('/push/ok-') ? 201 : 410).end();
      });
    },
  );
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin: `https://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The browser's side of a subscription: a P-256 key pair and an auth secret, as PushManager makes them. */
function browserKeys(): { ecdh: ECDH; auth: Buffer; json: (endpoint: string) => unknown } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    ecdh,
    auth,
    json: (endpoint) => ({
      endpoint,
      keys: { p256dh: ecdh.getPublicKey('base64url'), auth: auth.toString('base64url') },
    }),
  };
}

/** RFC 8291 / RFC 8188: the one-record aes128gcm body, decrypted with the browser's private key and auth secret. */
function decryptPush(body: Buffer, keys: { ecdh: ECDH; auth: Buffer }): string {
  const salt = body.subarray(0, 16);
  const idLength = body[20]!;
  const serverPublic = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const shared = keys.ecdh.computeSecret(serverPublic);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), keys.ecdh.getPublicKey(), serverPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, keys.auth, info, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  expect(plain[end], 'the last record ends with the 0x02 delimiter').toBe(2);
  return plain.subarray(0, end).toString('utf8');
}

/** The `Authorization: vapid t=<JWT>, k=<key>` header, checked: ES256 signature by k, and the claims. */
function checkVapid(header: string | undefined): { claims: Record<string, unknown>; key: string } {
  const m = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  expect(m, `Authorization: ${header}`).not.toBeNull();
  const [jwt, key] = [m![1]!, m![2]!];
  const [h, p, s] = jwt.split('.') as [string, string, string];
  expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'ES256' });
  const raw = Buffer.from(key, 'base64url');
  expect(raw).toHaveLength(65);
  const publicKey = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  );
  expect(signed, 'the JWT is signed by the key in k=').toBe(true);
  return { claims: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>, key };
}

// ---- the app over HTTP ------------------------------------------------------------------------------------------

async function api(base: string, method: string, url: string, body?: unknown, auth = true): Promise<any> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(auth && token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function placeOrder(base: string, customerName: string): Promise<{ id: string; number: number }> {
  const cart = await api(base, 'POST', `/api/v1/storefront/${store.slug}/carts`, undefined, false);
  await api(
    base,
    'PUT',
    `/api/v1/storefront/${store.slug}/carts/${cart.id}/lines/${variantId}`,
    { quantity: 2 },
    false,
  );
  return api(
    base,
    'POST',
    `/api/v1/storefront/${store.slug}/carts/${cart.id}/checkout`,
    {
      customer: {
        name: customerName,
        phone: '+919812345678',
        address: { line1: '1 MG Road', city: 'Pune', pincode: '411001' },
      },
      paymentMethod: 'cod',
    },
    false,
  );
}

/** Subscribes a browser through the dashboard, as app.js does: session cookie, CSRF cookie and token. */
async function subscribeThroughDashboard(base: string, subscription: unknown): Promise<string> {
  const session = `dukaan_session=${token}`;
  const page = await fetch(`${base}/dashboard/stores/${store.id}/orders`, { headers: { cookie: session } });
  const html = await page.text();
  expect(page.status).toBe(200);
  const csrfCookie = page.headers
    .getSetCookie()
    .find((c) => c.startsWith('_csrf='))!
    .split(';')[0]!;
  const form = html.slice(html.indexOf(`action="/dashboard/stores/${store.id}/push"`));
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1]!;
  const res = await fetch(`${base}/dashboard/stores/${store.id}/push`, {
    method: 'POST',
    headers: { cookie: `${session}; ${csrfCookie}`, 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify(subscription),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

interface Stream {
  status: () => number;
  headers: () => http.IncomingHttpHeaders;
  text: () => string;
  ended: () => boolean;
  close(): void;
}

/** A dashboard's EventSource, on a connection of its own (through nginx: HTTPS, trusting its certificate). */
function openStream(base: string): Stream {
  let text = '';
  let headers: http.IncomingHttpHeaders = {};
  let status = 0;
  let ended = false;
  const url = `${base}/dashboard/stores/${store.id}/orders/events`;
  const options = { agent: false as const, headers: { cookie: `dukaan_session=${token}` } };
  const req = (url.startsWith('https:') ? https : http).get(
    url,
    url.startsWith('https:') ? { ...options, ca: fs.readFileSync(cert.cert), servername: 'localhost' } : options,
    (res) => {
      status = res.statusCode ?? 0;
      headers = res.headers;
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('close', () => (ended = true));
    },
  );
  req.on('error', () => (ended = true));
  return {
    status: () => status,
    headers: () => headers,
    text: () => text,
    ended: () => ended,
    close: () => req.destroy(),
  };
}

async function startPool(workers: number, env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const server = spawnServer({
    port,
    env: {
      DATABASE_URL: testDb.url!,
      WEB_CONCURRENCY: String(workers),
      OTP_TEST_NUMBERS: `${PHONE}:${CODE}`,
      OUTBOX_POLL_MS: '200',
      ORDER_EVENTS_POLL_MS: '200',
      ...env,
    },
  });
  await server.waitForOutput(new RegExp(`dukaan pool listening on .* with ${workers} workers?\\n`), 120_000);
  await server.waitForHealthy(30_000);
  return server;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dukaan-push-'));
  // nginx's workers run as www-data: what they read must be readable by others.
  fs.chmodSync(tmp, 0o755);
  cert = await makeSelfSignedCert(tmp);
  pushService = await startFakePushService(cert);
  testDb = await createTestDb('postgres');
  // The servers trust the fake push service's certificate, as they trust a real one's through the system CAs.
  poolA = await startPool(2, { NODE_EXTRA_CA_CERTS: cert.cert, SHUTDOWN_TIMEOUT_MS: '120000', SERVER_NAME: 'appA' });
  serverB = await startPool(1, { NODE_EXTRA_CA_CERTS: cert.cert, SERVER_NAME: 'appB' });
  const sent = await fetch(`${poolA.baseUrl}/api/v1/auth/otp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: PHONE }),
  });
  expect(sent.status).toBe(202);
  token = (await api(poolA.baseUrl, 'POST', '/api/v1/auth/verify', { phone: PHONE, code: CODE }, false)).token;
  store = await api(poolA.baseUrl, 'POST', '/api/v1/stores', { name: 'Push Kirana' });
  const product = await api(poolA.baseUrl, 'POST', `/api/v1/stores/${store.id}/products`, {
    name: 'Toor Dal 1kg',
    price: 16000,
    stock: 100,
  });
  variantId = product.variants[0].id;
}, 300_000);

afterAll(async () => {
  if (nginx) await stopNginx(nginx);
  await killAllServers();
  await pushService?.close();
  await testDb?.dispose();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('Web Push through a fake push service', { timeout: 120_000 }, () => {
  it('an order placed through the API reaches the subscribed phone, signed and encrypted; 410 removes it', async () => {
    const phone = browserKeys();
    const gonePhone = browserKeys();
    const okEndpoint = `${pushService.origin}/push/ok-${randomBytes(6).toString('hex')}`;
    const goneEndpoint = `${pushService.origin}/push/gone-${randomBytes(6).toString('hex')}`;
    await subscribeThroughDashboard(poolA.baseUrl, phone.json(okEndpoint));
    const goneId = await subscribeThroughDashboard(poolA.baseUrl, gonePhone.json(goneEndpoint));
    const serverKey = (await api(poolA.baseUrl, 'GET', '/dashboard/push/key', undefined, false)).publicKey;

    // Through the other app server: the push is the outbox's, whichever process took the order.
    const order = await placeOrder(serverB.baseUrl, 'Meera Iyer');
    await waitFor(
      'both pushes',
      () => [okEndpoint, goneEndpoint].every((e) => pushService.received.some((r) => e.endsWith(r.path))),
      30_000,
      50,
    );
    const push = pushService.received.find((r) => okEndpoint.endsWith(r.path))!;
    expect(push.headers['content-encoding']).toBe('aes128gcm');
    expect(push.headers['content-type']).toBe('application/octet-stream');
    expect(Number(push.headers.ttl)).toBeGreaterThan(0);
    expect(push.headers.urgency).toBe('high');
    const { claims, key } = checkVapid(push.headers.authorization as string | undefined);
    expect(key).toBe(serverKey);
    expect(claims.aud).toBe(pushService.origin);
    expect(claims.sub).toBe('mailto:push@dukaan.invalid');
    const now = Date.now() / 1000;
    expect(Number(claims.exp)).toBeGreaterThan(now);
    expect(Number(claims.exp)).toBeLessThanOrEqual(now + 24 * 3600 + 60);

    const payload = JSON.parse(decryptPush(push.body, phone));
    expect(payload).toMatchObject({
      title: `New order #${order.number} · Push Kirana`,
      url: `/dashboard/orders/${order.id}`,
      orderId: order.id,
      number: order.number,
    });
    expect(payload.body).toContain('Meera Iyer');
    expect(payload.body).toContain('₹320');
    // Someone else's keys cannot read it.
    expect(() => decryptPush(push.body, gonePhone)).toThrow();

    // 410 Gone: the subscription is deleted and its message not retried.
    await waitFor(
      'the gone subscription removed',
      async () => (await testDb.db.query('SELECT 1 FROM push_subscriptions WHERE id = $1', [goneId])).rows.length === 0,
      30_000,
      100,
    );
    await waitFor(
      'the outbox rows settled',
      async () =>
        (
          await testDb.db.query(
            `SELECT 1 FROM outbox WHERE topic = 'push.order_placed' AND status = 'pending'
                AND payload->'data'->>'orderId' = $1`,
            [order.id],
          )
        ).rows.length === 0,
      30_000,
      100,
    );
    const settled = await testDb.db.query<{ recipient: string; status: string }>(
      `SELECT recipient, status FROM outbox WHERE topic = 'push.order_placed' AND payload->'data'->>'orderId' = $1`,
      [order.id],
    );
    expect(settled.rows).toHaveLength(2);
    expect(settled.rows.find((r) => r.recipient === goneId)?.status).toBe('failed');
    expect(settled.rows.filter((r) => r.status === 'sent')).toHaveLength(1);
    // Exactly one POST per subscription: nothing was sent twice.
    expect(pushService.received.filter((r) => okEndpoint.endsWith(r.path))).toHaveLength(1);
    expect(pushService.received.filter((r) => goneEndpoint.endsWith(r.path))).toHaveLength(1);

    // The next order reaches only the phone that is left.
    await placeOrder(poolA.baseUrl, 'Ravi Kumar');
    await waitFor(
      'the second push',
      () => pushService.received.filter((r) => okEndpoint.endsWith(r.path)).length === 2,
      30_000,
      50,
    );
    expect(pushService.received.filter((r) => goneEndpoint.endsWith(r.path))).toHaveLength(1);
  });

  it('the helper cipher round-trips, so the decryption above is a real check', () => {
    // A hand-made RFC 8291 record through decryptPush: guards the test's own arithmetic.
    const phone = browserKeys();
    const server = createECDH('prime256v1');
    server.generateKeys();
    const salt = randomBytes(16);
    const shared = server.computeSecret(phone.ecdh.getPublicKey());
    const info = Buffer.concat([Buffer.from('WebPush: info\0'), phone.ecdh.getPublicKey(), server.getPublicKey()]);
    const ikm = Buffer.from(hkdfSync('sha256', shared, phone.auth, info, 32));
    const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
    const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
    const cipher = createCipheriv('aes-128-gcm', cek, nonce);
    const sealed = Buffer.concat([cipher.update(Buffer.from('hello\x02')), cipher.final(), cipher.getAuthTag()]);
    const header = Buffer.alloc(21);
    salt.copy(header);
    header.writeUInt32BE(4096, 16);
    header[20] = 65;
    expect(decryptPush(Buffer.concat([header, server.getPublicKey(), sealed]), phone)).toBe('hello');
  });
});

describe('Server-Sent Events across app servers', { timeout: 120_000 }, () => {
  it('a dashboard listening on one server (2 workers) hears of an order placed through another', async () => {
    const stream = openStream(poolA.baseUrl);
    try {
      await waitFor('the stream to open', () => stream.text().includes(': connected'), 20_000, 20);
      expect(stream.status()).toBe(200);
      expect(stream.headers()['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(stream.headers()['x-accel-buffering']).toBe('no');
      expect(stream.headers()['cache-control']).toBe('no-store');
      expect(stream.text()).toMatch(/^retry: \d+\n/);

      const order = await placeOrder(serverB.baseUrl, 'Sunita Devi');
      await waitFor('the order event', () => stream.text().includes('event: order'), 20_000, 20);
      expect(stream.text()).toContain(`event: order\ndata: {"number":${order.number},"count":1}\n\n`);

      await api(serverB.baseUrl, 'POST', `/api/v1/stores/${store.id}/orders/${order.id}/transitions`, {
        to: 'accepted',
      });
      await waitFor('the changed event', () => stream.text().includes('event: changed'), 20_000, 20);
    } finally {
      stream.close();
    }
  });

  it("a reload ends the old workers' streams at once, not at SHUTDOWN_TIMEOUT_MS; new streams still hear", async () => {
    const stream = openStream(poolA.baseUrl);
    await waitFor('the stream to open', () => stream.text().includes(': connected'), 20_000, 20);
    const before = poolA.workerPids();
    poolA.signal('SIGHUP');
    // Pool A drains with a 120 s budget: a stream still open at 60 s would mean the drain waited for it.
    await waitFor('the stream to end', () => stream.ended(), 60_000, 50);
    await waitFor(
      'the reload',
      () => {
        const now = poolA.workerPids();
        return now.length === 2 && now.every((p) => !before.includes(p));
      },
      90_000,
      100,
    );
    const again = openStream(poolA.baseUrl);
    try {
      await waitFor('the new stream', () => again.text().includes(': connected'), 20_000, 20);
      const order = await placeOrder(serverB.baseUrl, 'Imran Shaikh');
      await waitFor('the order event', () => again.text().includes(`"number":${order.number}`), 20_000, 20);
    } finally {
      again.close();
    }
  });

  it('through nginx in front of both app servers, the stream passes each event as it comes', async () => {
    const httpsPort = await freePort();
    nginx = {
      conf: path.join(tmp, 'nginx.conf'),
      prefix: tmp,
      errorLog: path.join(tmp, 'logs', 'error.log'),
      pidFile: path.join(tmp, 'nginx.pid'),
    };
    fs.writeFileSync(
      nginx.conf,
      renderNginxConfig({
        mode: 'full',
        runDir: tmp,
        logDir: path.join(tmp, 'logs'),
        cacheDir: path.join(tmp, 'cache'),
        user: await nginxWorkerUser(),
        upstreams: [`127.0.0.1:${poolA.port}`, `127.0.0.1:${serverB.port}`],
        tlsCert: cert.cert,
        tlsKey: cert.key,
        listenHttps: `127.0.0.1:${httpsPort}`,
        listenHttp: null,
        staticRoot: null,
      }),
    );
    await testNginxConfig(nginx);
    await startNginx(nginx);
    const edge = `https://127.0.0.1:${httpsPort}`;
    // Two streams: round robin puts them on different app servers; each hears every order.
    const streams = [openStream(edge), openStream(edge)];
    try {
      for (const s of streams) await waitFor('a stream through nginx', () => s.text().includes(': connected'), 20_000);
      expect(streams.map((s) => s.status())).toEqual([200, 200]);
      expect(new Set(streams.map((s) => s.headers()['x-served-by']))).toEqual(new Set(['appA', 'appB']));
      const order = await placeOrder(poolA.baseUrl, 'Farah Khan');
      for (const s of streams)
        await waitFor('the order event through nginx', () => s.text().includes(`"number":${order.number}`), 20_000);
    } finally {
      for (const s of streams) s.close();
    }
  });

  it('an anonymous caller gets no stream (members only: test/integration/push-and-events.test.ts)', async () => {
    const anonymous = await fetch(`${poolA.baseUrl}/dashboard/stores/${store.id}/orders/events`, {
      redirect: 'manual',
    });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('content-type') ?? '').not.toContain('event-stream');
  });
});
