import { describe, expect } from 'vitest';
import { client, createTestApp, signIn, uniquePhone } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';

const it = appTest({ otpTestNumbers: new Map([['+919000000001', '123456']]) });

describe('merchant sign-in', () => {
  it('sends a code, verifies it, and answers /me with the merchant', async ({ ctx }) => {
    const { api, phone } = await signIn(ctx);
    const me = await api.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.merchant.phone).toBe(phone);
    expect(me.body.stores).toEqual([]);
  });

  it('stores codes hashed and expiring in 10 minutes', async ({ ctx }) => {
    const phone = uniquePhone();
    await client(ctx.app).post('/api/v1/auth/otp', { phone });
    const code = ctx.sentCodes.get(phone)!.at(-1)!;
    expect(code).toMatch(/^\d{6}$/);
    const { rows } = await ctx.testDb.db.query<{ code_hash: string; minutes: number }>(
      `SELECT code_hash, round(extract(epoch FROM expires_at - created_at) / 60) AS minutes FROM otp_codes WHERE phone\
 = $1`,
      [phone],
    );
    expect(rows[0]!.code_hash).not.toContain(code);
    expect(Number(rows[0]!.minutes)).toBe(10);
  });

  it('rejects a wrong code with 401 invalid_code and voids the code after 5 wrong tries', async ({ ctx }) => {
    const phone = uniquePhone();
    const anon = client(ctx.app);
    await anon.post('/api/v1/auth/otp', { phone });
    const code = ctx.sentCodes.get(phone)!.at(-1)!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const r = await anon.post('/api/v1/auth/verify', { phone, code: wrong });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('invalid_code');
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    const right = await anon.post('/api/v1/auth/verify', { phone, code });
    expect(right.status).toBe(401);
  });

  it('rejects an expired code', async ({ ctx }) => {
    const phone = uniquePhone();
    const anon = client(ctx.app);
    await anon.post('/api/v1/auth/otp', { phone });
    await ctx.testDb.db.query(`UPDATE otp_codes SET expires_at = now() - interval '1 second' WHERE phone = $1`, [
      phone,
    ]);
    const r = await anon.post('/api/v1/auth/verify', { phone, code: ctx.sentCodes.get(phone)!.at(-1)! });
    expect(r.status).toBe(401);
  });

  it('limits codes to 5 per phone per 15 minutes with Retry-After', async ({ ctx }) => {
    const phone = uniquePhone();
    const anon = client(ctx.app);
    for (let i = 0; i < 5; i++) expect((await anon.post('/api/v1/auth/otp', { phone })).status).toBe(202);
    const sixth = await anon.post('/api/v1/auth/otp', { phone });
    expect(sixth.status).toBe(429);
    expect(sixth.body.code).toBe('rate_limited');
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('test numbers use their fixed code, are never messaged, and skip the per-phone limit', async ({ ctx }) => {
    const anon = client(ctx.app);
    for (let i = 0; i < 7; i++)
      expect((await anon.post('/api/v1/auth/otp', { phone: '+919000000001' })).status).toBe(202);
    expect(ctx.sentCodes.has('+919000000001')).toBe(false);
    const r = await anon.post('/api/v1/auth/verify', { phone: '+919000000001', code: '123456' });
    expect(r.status).toBe(200);
    expect(r.body.token).toBeTypeOf('string');
  });

  it('limits codes to 30 per client IP per 15 minutes', async () => {
    const ipCtx = await createTestApp({ trustProxy: true });
    try {
      const anon = client(ipCtx.app);
      const ip = { 'x-forwarded-for': '203.0.113.9' };
      for (let i = 0; i < 30; i++)
        expect((await anon.post('/api/v1/auth/otp', { phone: uniquePhone() }, ip)).status).toBe(202);
      const over = await anon.post('/api/v1/auth/otp', { phone: uniquePhone() }, ip);
      expect(over.status).toBe(429);
      const otherIp = await anon.post(
        '/api/v1/auth/otp',
        { phone: uniquePhone() },
        { 'x-forwarded-for': '203.0.113.10' },
      );
      expect(otherIp.status).toBe(202);
    } finally {
      await ipCtx.close();
    }
  });

  it('logout revokes the token', async ({ ctx }) => {
    const { api, token } = await signIn(ctx);
    expect((await api.post('/api/v1/auth/logout')).status).toBe(204);
    const me = await client(ctx.app, token).get('/api/v1/me');
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('unauthorized');
  });

  it('stores session tokens hashed with a 30-day expiry', async ({ ctx }) => {
    const { token, merchantId } = await signIn(ctx);
    const { rows } = await ctx.testDb.db.query<{ token_hash: string; days: number }>(
      `SELECT token_hash, round(extract(epoch FROM expires_at - created_at) / 86400) AS days FROM sessions WHERE\
 merchant_id = $1`,
      [merchantId],
    );
    expect(rows[0]!.token_hash).not.toBe(token);
    expect(Number(rows[0]!.days)).toBe(30);
  });

  it.for([
    [{}, 'missing phone'],
    [{ phone: '9876543210' }, 'not E.164'],
    [{ phone: '+91123' }, 'too short'],
    [{ phone: 919876543210 }, 'a number'],
    [{ phone: '+919876543210', extra: 1 }, 'extra field'],
    [{ phone: 'x'.repeat(10_000) }, '10 KB string'],
  ])('POST /auth/otp %j → 400 validation_failed (%s)', async ([body], { ctx }) => {
    const r = await client(ctx.app).post('/api/v1/auth/otp', body);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation_failed');
  });

  it('refuses garbage tokens with 401', async ({ ctx }) => {
    for (const header of ['Bearer nope-nope-nope', 'Basic abc', 'Bearer ' + 'a'.repeat(300)]) {
      const r = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: header } });
      expect(r.statusCode).toBe(401);
    }
  });
});
