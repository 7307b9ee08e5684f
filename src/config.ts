import os from 'node:os';
import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  /** Streaming replicas for storefront reads (DATABASE_REPLICA_URLS, comma-separated); [] = all on the primary. */
  databaseReplicaUrls: string[];
  dataDir: string;
  otpTestNumbers: Map<string, string>;
  webConcurrency: number;
  /** Requests per minute per client IP for the whole API; null = off (many customers share one NAT address). */
  rateLimitPerIp: number | null;
  /** Comma-separated addresses/CIDRs of proxies whose X-Forwarded-* headers are believed. */
  trustProxy: string | boolean;
  publicUrl: string;
  logLevel: string;
  dbPoolMax: number;
  /** Named (server-side prepared) statements; off (DB_PREPARED_STATEMENTS=0) behind PgBouncer < 1.21 in transaction
   * mode. */
  dbPreparedStatements: boolean;
  /**
   * PostgreSQL's plan_cache_mode on the app's connections (DB_PLAN_CACHE_MODE): `force_generic_plan` by default, so
   * a named statement is planned once per connection; `auto` is PostgreSQL's own choice (see src/db/pg.ts).
   */
  dbPlanCacheMode: PlanCacheMode;
  /** A store's concurrent checkouts in one statement (src/orders/place-batch.ts); DUKAAN_CHECKOUT_BATCH=0: off. */
  checkoutBatch: boolean;
  bodyLimit: number;
  demo: boolean;
  whatsapp: { apiUrl: string; token: string; phoneNumberId: string } | null;
  /** The webhook's verification token (WHATSAPP_VERIFY_TOKEN) and app secret (WHATSAPP_APP_SECRET); null = off. */
  whatsappVerifyToken: string | null;
  whatsappAppSecret: string | null;
  /** How often the inbox worker looks for chat messages to answer (WHATSAPP_POLL_MS). */
  whatsappPollMs: number;
  /** Inbound chat messages answered per phone per minute (WHATSAPP_RATE_PER_MINUTE). */
  whatsappRatePerMinute: number;
  /** The shared platform number's digits (WHATSAPP_NUMBER), for the storefront's "Order on WhatsApp" link. */
  whatsappNumber: string | null;
  outboxPollMs: number;
  /** Sent as X-Served-By when set (SERVER_NAME); null = the header is not sent. */
  serverName: string | null;
  /** Sign-in code delivery: WhatsApp authentication template, SMS HTTP provider, console (trials). */
  otp: {
    whatsappTemplate: string;
    whatsappLanguage: string;
    smsUrl: string | null;
    smsToken: string | null;
    console: boolean;
  };
  /** Optional extra key for the OTP hashes (HMAC pepper, AUTH_SECRET); codes are salted per row in any case. */
  authSecret: string;
  /** A session unused this many days ends (SESSION_IDLE_DAYS), on top of its 30-day life. */
  sessionIdleDays: number;
  /** Stores also answer at `<slug>.<baseDomain>` when set (env BASE_DOMAIN, e.g. `dukaan.example`); null = paths only.
   * */
  baseDomain: string | null;
  /**
   * Web Push (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: both or neither, base64url; VAPID_SUBJECT: a mailto: or https:
   * contact for push services). Keys unset: a pair is made on first use and kept in the database (src/notify/push.ts).
   */
  vapid: { publicKey: string | null; privateKey: string | null; subject: string };
  /** How often a worker looks for order changes of the stores whose dashboards listen (ORDER_EVENTS_POLL_MS). */
  orderEventsPollMs: number;
}

export function parseOtpTestNumbers(raw: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  if (!raw) return map;
  for (const pair of raw.split(',')) {
    const [phone, code] = pair.trim().split(':');
    if (phone && code && /^\+[1-9]\d{6,14}$/.test(phone) && /^\d{4,8}$/.test(code)) map.set(phone, code);
    else if (pair.trim()) throw new Error(`OTP_TEST_NUMBERS: cannot read "${pair}" (expected +E164:digits)`);
  }
  return map;
}

export const PLAN_CACHE_MODES = ['force_generic_plan', 'auto', 'force_custom_plan'] as const;
export type PlanCacheMode = (typeof PLAN_CACHE_MODES)[number];

/** DB_PLAN_CACHE_MODE: one of PostgreSQL's plan_cache_mode values; unset or empty: force_generic_plan. */
export function parsePlanCacheMode(raw: string | undefined): PlanCacheMode {
  const value = raw?.trim() || 'force_generic_plan';
  const mode = PLAN_CACHE_MODES.find((m) => m === value);
  if (!mode) throw new Error(`DB_PLAN_CACHE_MODE must be one of ${PLAN_CACHE_MODES.join(', ')}, got "${raw}"`);
  return mode;
}

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

/** VAPID_*: both keys or neither; the subject defaults to PUBLIC_URL when it is https, else a mailto: placeholder. */
export function parseVapid(env: NodeJS.ProcessEnv, publicUrl: string): Config['vapid'] {
  const publicKey = env.VAPID_PUBLIC_KEY?.trim() || null;
  const privateKey = env.VAPID_PRIVATE_KEY?.trim() || null;
  if (!publicKey !== !privateKey)
    throw new Error('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together: set both (npx web-push generate-vapid-keys)');
  const bytes = (key: string) => (/^[A-Za-z0-9_-]+=*$/.test(key) ? Buffer.from(key, 'base64url').length : 0);
  if (publicKey && privateKey && (bytes(publicKey) !== 65 || bytes(privateKey) !== 32))
    throw new Error('VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY: expected base64url P-256 keys (65 and 32 bytes)');
  const fallback = publicUrl.startsWith('https://') ? publicUrl : 'mailto:push@dukaan.invalid';
  const subject = env.VAPID_SUBJECT?.trim() || fallback;
  if (!/^(mailto:|https:\/\/)/.test(subject)) throw new Error('VAPID_SUBJECT must be a mailto: or https:// URL');
  return { publicKey, privateKey, subject };
}

/** DATABASE_REPLICA_URLS: PostgreSQL URLs, comma-separated. Only with DATABASE_URL: PGlite has no replicas. */
export function parseReplicaUrls(raw: string | undefined, databaseUrl: string | null): string[] {
  const urls = (raw ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (urls.length === 0) return [];
  if (!databaseUrl)
    throw new Error(
      'DATABASE_REPLICA_URLS is set but DATABASE_URL is not: the embedded database (PGlite) has no replicas. ' +
        'Set DATABASE_URL to the PostgreSQL primary, or unset DATABASE_REPLICA_URLS.',
    );
  for (const url of urls) {
    let protocol = '';
    try {
      protocol = new URL(url).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:')
      throw new Error('DATABASE_REPLICA_URLS: each entry must be a postgres:// URL');
  }
  return urls;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || null;
  const port = intEnv(env, 'PORT', 3000);
  const host = env.HOST || '127.0.0.1';
  const trust = env.TRUST_PROXY;
  const whatsapp =
    env.WHATSAPP_API_URL && env.WHATSAPP_TOKEN && env.WHATSAPP_PHONE_NUMBER_ID
      ? { apiUrl: env.WHATSAPP_API_URL, token: env.WHATSAPP_TOKEN, phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID }
      : null;
  const publicUrl = (env.PUBLIC_URL || `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`).replace(/\/$/, '');
  return {
    port,
    host,
    databaseUrl,
    databaseReplicaUrls: parseReplicaUrls(env.DATABASE_REPLICA_URLS, databaseUrl),
    dataDir: path.resolve(env.DATA_DIR || './data'),
    otpTestNumbers: parseOtpTestNumbers(env.OTP_TEST_NUMBERS),
    webConcurrency: databaseUrl ? intEnv(env, 'WEB_CONCURRENCY', os.availableParallelism()) || 1 : 1,
    rateLimitPerIp: env.RATE_LIMIT_PER_IP ? intEnv(env, 'RATE_LIMIT_PER_IP', 0) || null : null,
    trustProxy: trust === undefined || trust === '' ? false : trust === 'true' ? true : trust,
    publicUrl,
    logLevel: env.LOG_LEVEL || 'info',
    dbPoolMax: intEnv(env, 'DB_POOL_MAX', 10),
    dbPreparedStatements: env.DB_PREPARED_STATEMENTS !== '0',
    dbPlanCacheMode: parsePlanCacheMode(env.DB_PLAN_CACHE_MODE),
    checkoutBatch: env.DUKAAN_CHECKOUT_BATCH !== '0',
    bodyLimit: 1024 * 1024,
    demo: !databaseUrl && env.DUKAAN_DEMO !== '0',
    whatsapp,
    whatsappVerifyToken: env.WHATSAPP_VERIFY_TOKEN || null,
    whatsappAppSecret: env.WHATSAPP_APP_SECRET || null,
    whatsappPollMs: intEnv(env, 'WHATSAPP_POLL_MS', 500),
    whatsappRatePerMinute: intEnv(env, 'WHATSAPP_RATE_PER_MINUTE', 20),
    whatsappNumber: (env.WHATSAPP_NUMBER ?? '').replace(/\D/g, '') || null,
    outboxPollMs: intEnv(env, 'OUTBOX_POLL_MS', 1000),
    serverName: env.SERVER_NAME || null,
    otp: {
      whatsappTemplate: env.WHATSAPP_OTP_TEMPLATE || 'dukaan_sign_in',
      whatsappLanguage: env.WHATSAPP_OTP_LANGUAGE || 'en',
      smsUrl: env.OTP_SMS_URL || null,
      smsToken: env.OTP_SMS_TOKEN || null,
      console: env.OTP_CONSOLE === '1',
    },
    authSecret: env.AUTH_SECRET || '',
    sessionIdleDays: intEnv(env, 'SESSION_IDLE_DAYS', 7) || 7,
    baseDomain: env.BASE_DOMAIN
      ? env.BASE_DOMAIN.trim()
          .toLowerCase()
          .replace(/^\.+|\.+$/g, '') || null
      : null,
    vapid: parseVapid(env, publicUrl),
    orderEventsPollMs: intEnv(env, 'ORDER_EVENTS_POLL_MS', 1000) || 1000,
  };
}

/** loadConfig for a command that starts the server: a setting it cannot use stops it with one line, no stack. */
export function loadConfigOrExit(command: string, env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    process.stderr.write(`${command}: refusing to start. ${(err as Error).message}\n`);
    process.exit(1);
  }
}

export type OtpChannelKind = 'sms' | 'whatsapp' | 'console';

/**
 * Which channel delivers sign-in codes: the SMS provider when configured, else the WhatsApp authentication
 * template when the WhatsApp Cloud API is configured; the console (terminal) only with the embedded database or
 * OTP_CONSOLE=1; null = none, and the server refuses to start.
 */
export function otpChannelKind(config: Config): OtpChannelKind | null {
  if (config.otp.smsUrl && config.otp.smsToken) return 'sms';
  if (config.whatsapp) return 'whatsapp';
  if (!config.databaseUrl || config.otp.console) return 'console';
  return null;
}

export const NO_OTP_CHANNEL_MESSAGE =
  'No sign-in code channel is configured. Set OTP_SMS_URL and OTP_SMS_TOKEN (SMS HTTP provider), or ' +
  'WHATSAPP_API_URL, WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID (WhatsApp authentication template ' +
  'WHATSAPP_OTP_TEMPLATE). For a trial on one machine only, OTP_CONSOLE=1 prints codes on the terminal.';
