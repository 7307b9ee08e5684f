import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { OtpChannel } from '../../src/merchants/otp-channel.js';
import { createTestDb, TEST_BACKEND, type Backend, type TestDb } from './db.js';

export interface TestContext {
  app: FastifyInstance;
  testDb: TestDb;
  config: Config;
  /** Codes the OTP channel "sent", newest last, by phone. */
  sentCodes: Map<string, string[]>;
  close(): Promise<void>;
}

/**
 * The tests' config: silent, no demo store, and trustProxy so that signIn() comes from its own X-Forwarded-For
 * address and the per-IP sign-in limit (30 / 15 min) does not throttle a file that signs many merchants in.
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({ DATA_DIR: `/tmp/dukaan-test-${process.pid}` }),
    logLevel: 'silent',
    demo: false,
    trustProxy: true,
    ...overrides,
  };
}

/** An OTP channel that keeps the codes it "sends", newest last, by phone. */
export function capturingOtpChannel(): { sentCodes: Map<string, string[]>; otpChannel: OtpChannel } {
  const sentCodes = new Map<string, string[]>();
  const otpChannel: OtpChannel = {
    name: 'test',
    async send(phone, code) {
      sentCodes.set(phone, [...(sentCodes.get(phone) ?? []), code]);
    },
  };
  return { sentCodes, otpChannel };
}

export async function createTestApp(
  overrides: Partial<Config> = {},
  backend: Backend = TEST_BACKEND,
  beforeReady?: (app: FastifyInstance) => void | Promise<void>,
): Promise<TestContext> {
  const testDb = await createTestDb(backend);
  const config = testConfig(overrides);
  const { sentCodes, otpChannel } = capturingOtpChannel();
  const app = await buildApp({ config, db: testDb.db, otpChannel, logger: false });
  if (beforeReady) await beforeReady(app);
  await app.ready();
  return {
    app,
    testDb,
    config,
    sentCodes,
    async close() {
      await app.close();
      await testDb.dispose();
    },
  };
}

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
}

/** A small client over app.inject: JSON in, JSON out. */
export function client(app: FastifyInstance, token?: string) {
  async function send<T = any>(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Res<T>> {
    const h: Record<string, string> = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    const res = await app.inject({
      method,
      url,
      headers: h,
      ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
    });
    let parsed: unknown;
    try {
      parsed = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode, body: parsed as T, headers: res.headers, text: res.body };
  }
  return {
    get: <T = any>(url: string, headers?: Record<string, string>) => send<T>('GET', url, undefined, headers),
    post: <T = any>(url: string, body?: unknown, headers?: Record<string, string>) =>
      send<T>('POST', url, body ?? {}, headers),
    put: <T = any>(url: string, body?: unknown, headers?: Record<string, string>) => send<T>('PUT', url, body, headers),
    patch: <T = any>(url: string, body?: unknown, headers?: Record<string, string>) =>
      send<T>('PATCH', url, body, headers),
    delete: <T = any>(url: string, headers?: Record<string, string>) => send<T>('DELETE', url, undefined, headers),
    send,
  };
}
export type Client = ReturnType<typeof client>;

let phoneCounter = 0;
/**
 * A fresh valid Indian mobile number per call (unique within the test process). Under +9170, which no test writes
 * by hand: under +9198, a process whose pid ended in 111 signed its first merchant in as +919811100001, the number a
 * test gave a store as "not the owner's", and the store came out verified (a CI flake).
 */
export function uniquePhone(): string {
  phoneCounter++;
  return `+9170${String(process.pid % 1000).padStart(3, '0')}${String(phoneCounter).padStart(5, '0')}`;
}

/** Signs a merchant in through the real OTP flow and returns an authenticated client. */
export async function signIn(
  ctx: TestContext,
  phone = uniquePhone(),
): Promise<{ token: string; api: Client; merchantId: string; phone: string }> {
  const anon = client(ctx.app);
  const ip = {
    'x-forwarded-for': `10.${(phoneCounter >> 16) & 255}.${(phoneCounter >> 8) & 255}.${phoneCounter & 255}`,
  };
  const sent = await anon.post('/api/v1/auth/otp', { phone }, ip);
  if (sent.status !== 202) throw new Error(`otp failed: ${sent.status} ${sent.text}`);
  const code = ctx.sentCodes.get(phone)!.at(-1)!;
  const verified = await anon.post('/api/v1/auth/verify', { phone, code }, ip);
  if (verified.status !== 200) throw new Error(`verify failed: ${verified.status} ${verified.text}`);
  return {
    token: verified.body.token,
    api: client(ctx.app, verified.body.token),
    merchantId: verified.body.merchant.id,
    phone,
  };
}

/** Signs in and creates a store; returns the owner's client and the store. */
export async function merchantWithStore(ctx: TestContext, store: Record<string, unknown> = {}) {
  const m = await signIn(ctx);
  const created = await m.api.post('/api/v1/stores', {
    name: `Shop ${Math.random().toString(36).slice(2, 8)}`,
    ...store,
  });
  if (created.status !== 201) throw new Error(`create store failed: ${created.status} ${created.text}`);
  const body = created.body as { id: string; slug: string; whatsapp?: string | null; [k: string]: unknown };
  // A store's own number gets messages only once verified: do what the owner would (a code sent to it, typed back).
  if (body.whatsapp && !body.whatsappVerified) await verifyStoreWhatsapp(ctx, m.api, body.id, body.whatsapp);
  return { ...m, store: body };
}

/** Verifies a store's WhatsApp number the way its owner does: the code sent to the number, typed back. */
export async function verifyStoreWhatsapp(ctx: TestContext, api: Client, storeId: string, phone: string) {
  const sent = await api.post(`/api/v1/stores/${storeId}/whatsapp/verification`);
  if (sent.status !== 202) throw new Error(`whatsapp code failed: ${sent.status} ${sent.text}`);
  const code = ctx.sentCodes.get(phone)!.at(-1)!;
  const ok = await api.post(`/api/v1/stores/${storeId}/whatsapp/verification/confirm`, { code });
  if (ok.status !== 200) throw new Error(`whatsapp confirm failed: ${ok.status} ${ok.text}`);
}
