/**
 * Issue 10, items 1-3: sign-in codes reach the merchant only, strangers cannot lock an owner out, codes are hashed
 * with a salt and key, sessions idle out and rotate.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { sha256 } from '../../src/shared/ids.js';
import { client, createTestApp, signIn, uniquePhone, type TestContext } from '../helpers/app.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startFakeWhatsApp, type FakeWhatsApp } from '../helpers/fake-whatsapp.js';

interface SmsCall {
  authorization: string | undefined;
  body: { to?: string; text?: string };
}

async function startFakeSms(status = 200): Promise<{ url: string; calls: SmsCall[]; close(): Promise<void> }> {
  const calls: SmsCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({
        authorization: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as SmsCall['body'],
      });
      // A provider that echoes what it got: its answer must not reach our logs either.
      res.writeHead(status, { 'content-type': 'application/json' }).end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An app with its real channel choice (no injected test channel) and every log line captured at trace level. */
async function appWithRealChannel(
  testDb: TestDb,
  overrides: Partial<Config>,
): Promise<{ app: FastifyInstance; logs: string[] }> {
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const config: Config = {
    ...loadConfig({ DATA_DIR: `/tmp/dukaan-test-${process.pid}` }),
    demo: false,
    trustProxy: true,
    ...overrides,
  };
  const app = await buildApp({ config, db: testDb.db, logger: { level: 'trace', stream } });
  await app.ready();
  return { app, logs };
}

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(() => testDb.dispose());

describe('item 1: codes reach the merchant only', () => {
  let fake: FakeWhatsApp;
  beforeAll(async () => {
    fake = await startFakeWhatsApp();
  });
  afterAll(() => fake.close());

  it('sends the code with the WhatsApp authentication template and logs no code, token or secret', async () => {
    const secretToken = 'wa-secret-token-1234567890';
    const { app, logs } = await appWithRealChannel(testDb, {
      whatsapp: { apiUrl: fake.url, token: secretToken, phoneNumberId: '555000' },
      otp: { whatsappTemplate: 'shop_login', whatsappLanguage: 'en_US', smsUrl: null, smsToken: null, console: false },
      authSecret: 'pepper-secret-abcdef',
    });
    try {
      const anon = client(app);
      const codes: string[] = [];
      const tokens: string[] = [];
      for (let i = 0; i < 3; i++) {
        const phone = uniquePhone();
        expect((await anon.post('/api/v1/auth/otp', { phone })).status).toBe(202);
        const call = fake.calls.at(-1)!;
        expect(call.path).toBe('/555000/messages');
        expect(call.authorization).toBe(`Bearer ${secretToken}`);
        const body = call.body as unknown as {
          to: string;
          type: string;
          template: { name: string; language: { code: string }; components: { parameters: { text: string }[] }[] };
        };
        expect(body.type).toBe('template');
        expect(body.to).toBe(phone.slice(1));
        expect(body.template.name).toBe('shop_login');
        expect(body.template.language.code).toBe('en_US');
        const code = body.template.components[0]!.parameters[0]!.text;
        expect(code).toMatch(/^\d{6}$/);
        expect(body.template.components[1]!.parameters[0]!.text).toBe(code);
        codes.push(code);
        const verified = await anon.post('/api/v1/auth/verify', { phone, code });
        expect(verified.status).toBe(200);
        tokens.push(verified.body.token);
        expect((await client(app, verified.body.token).get('/api/v1/me')).status).toBe(200);
      }
      const all = logs.join('');
      expect(all.length).toBeGreaterThan(0);
      for (const code of codes) expect(all).not.toContain(code);
      for (const token of tokens) expect(all).not.toContain(token);
      expect(all).not.toContain(secretToken);
      expect(all).not.toContain('pepper-secret-abcdef');
    } finally {
      await app.close();
    }
  });

  it('sends the code through the SMS HTTP provider; a failing provider gives 503 and logs no code', async () => {
    const sms = await startFakeSms();
    const failing = await startFakeSms(500);
    try {
      const { app, logs } = await appWithRealChannel(testDb, {
        whatsapp: null,
        otp: {
          whatsappTemplate: 'x',
          whatsappLanguage: 'en',
          smsUrl: sms.url,
          smsToken: 'sms-token-xyz',
          console: false,
        },
      });
      const phone = uniquePhone();
      expect((await client(app).post('/api/v1/auth/otp', { phone })).status).toBe(202);
      expect(sms.calls).toHaveLength(1);
      expect(sms.calls[0]!.authorization).toBe('Bearer sms-token-xyz');
      expect(sms.calls[0]!.body.to).toBe(phone);
      const code = /\b(\d{6})\b/.exec(sms.calls[0]!.body.text ?? '')![1]!;
      expect((await client(app).post('/api/v1/auth/verify', { phone, code })).status).toBe(200);
      await app.close();

      const broken = await appWithRealChannel(testDb, {
        whatsapp: null,
        otp: { whatsappTemplate: 'x', whatsappLanguage: 'en', smsUrl: failing.url, smsToken: 'tok-2', console: false },
      });
      const r = await client(broken.app).post('/api/v1/auth/otp', { phone: uniquePhone() });
      expect(r.status).toBe(503);
      expect(r.body.code).toBe('unavailable');
      const failedCode = /\b(\d{6})\b/.exec(failing.calls[0]!.body.text ?? '')![1]!;
      await broken.app.close();
      const all = logs.join('') + broken.logs.join('');
      expect(all).not.toContain(code);
      expect(all).not.toContain(failedCode);
      expect(all).not.toContain('sms-token-xyz');
      expect(broken.logs.join('')).toContain('sign-in code not delivered');
    } finally {
      await sms.close();
      await failing.close();
    }
  });

  it('does not start on PostgreSQL without a channel unless OTP_CONSOLE=1', async () => {
    const base = { ...loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1:1/none' }), logLevel: 'silent' };
    await expect(buildApp({ config: base, db: testDb.db, logger: false })).rejects.toThrow(/OTP_CONSOLE=1/);
    const trial = loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1:1/none', OTP_CONSOLE: '1' });
    const app = await buildApp({ config: trial, db: testDb.db, logger: false });
    expect(app.services.otpChannel.name).toBe('console');
    await app.close();
  });
});

describe('items 2-3: no lock-out by strangers, keyed hashes, sessions', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestApp();
  });
  afterAll(() => ctx.close());

  it('requests from other addresses neither void the owner’s code nor shut the owner out', async () => {
    const phone = uniquePhone();
    const owner = { 'x-forwarded-for': '198.51.100.1' };
    const anon = client(ctx.app);
    expect((await anon.post('/api/v1/auth/otp', { phone }, owner)).status).toBe(202);
    const ownersCode = ctx.sentCodes.get(phone)!.at(-1)!;
    // The attack of the report: strangers ask for codes for the owner's phone from many addresses.
    for (let i = 0; i < 12; i++)
      expect((await anon.post('/api/v1/auth/otp', { phone }, { 'x-forwarded-for': `203.0.113.${i + 1}` })).status).toBe(
        202,
      );
    // The owner can still ask for a code from their own address...
    expect((await anon.post('/api/v1/auth/otp', { phone }, owner)).status).toBe(202);
    // ...and the first code still signs in.
    const r = await anon.post('/api/v1/auth/verify', { phone, code: ownersCode }, owner);
    expect(r.status).toBe(200);
  });

  it('keeps a per-phone ceiling of 20 codes per 15 minutes across addresses', async () => {
    const phone = uniquePhone();
    const anon = client(ctx.app);
    for (let i = 0; i < 20; i++)
      expect((await anon.post('/api/v1/auth/otp', { phone }, { 'x-forwarded-for': `192.0.2.${i + 1}` })).status).toBe(
        202,
      );
    const over = await anon.post('/api/v1/auth/otp', { phone }, { 'x-forwarded-for': '192.0.2.200' });
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('rate_limited');
  });

  it('stores OTP hashes salted per row, not as a bare SHA-256 of the code', async () => {
    const phone = uniquePhone();
    await client(ctx.app).post('/api/v1/auth/otp', { phone });
    await client(ctx.app).post('/api/v1/auth/otp', { phone });
    const codes = ctx.sentCodes.get(phone)!;
    const { rows } = await ctx.testDb.db.query<{ code_hash: string; salt: string }>(
      `SELECT code_hash, salt FROM otp_codes WHERE phone = $1`,
      [phone],
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.salt).toMatch(/^[0-9a-f]{32}$/);
      for (const code of codes) {
        expect(row.code_hash).not.toBe(sha256(`otp:${phone}:${code}`));
        expect(row.code_hash).not.toBe(sha256(code));
      }
    }
    expect(rows[0]!.salt).not.toBe(rows[1]!.salt);
  });

  it('ends a session unused for 7 days, and renews last use while it is used', async () => {
    const { token, merchantId } = await signIn(ctx);
    await ctx.testDb.db.query(`UPDATE sessions SET last_used_at = now() - interval '6 days' WHERE merchant_id = $1`, [
      merchantId,
    ]);
    expect((await client(ctx.app, token).get('/api/v1/me')).status).toBe(200);
    const { rows } = await ctx.testDb.db.query<{ fresh: boolean }>(
      `SELECT last_used_at > now() - interval '1 minute' AS fresh FROM sessions WHERE merchant_id = $1`,
      [merchantId],
    );
    expect(rows[0]!.fresh).toBe(true);
    await ctx.testDb.db.query(
      `UPDATE sessions SET last_used_at = now() - interval '7 days 1 minute' WHERE merchant_id = $1`,
      [merchantId],
    );
    const idle = await client(ctx.app, token).get('/api/v1/me');
    expect(idle.status).toBe(401);
  });

  it('signing in again rotates the token: the old one stops working', async () => {
    const first = await signIn(ctx);
    const anon = client(ctx.app, first.token);
    await anon.post('/api/v1/auth/otp', { phone: first.phone }, { 'x-forwarded-for': '198.51.100.77' });
    const code = ctx.sentCodes.get(first.phone)!.at(-1)!;
    const again = await anon.post(
      '/api/v1/auth/verify',
      { phone: first.phone, code },
      { 'x-forwarded-for': '198.51.100.77' },
    );
    expect(again.status).toBe(200);
    expect(again.body.token).not.toBe(first.token);
    expect((await client(ctx.app, first.token).get('/api/v1/me')).status).toBe(401);
    expect((await client(ctx.app, again.body.token).get('/api/v1/me')).status).toBe(200);
  });
});
