import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { inTx, type DbOrTx } from '../db/db.js';
import { AppError, validationFailed } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { createSession, revokeSession, type Merchant } from '../auth/session.js';
import { selectMerchantLang, updateMerchantLang, upsertMerchant } from './merchants.repo.js';
import { isLang, type Lang } from '../i18n/index.js';
import { OTP_TTL_MINUTES, type OtpChannel } from './otp-channel.js';
import { recordDirectSend } from '../notify/outbox.js';
import { consumeOtps, countRecentOtps, countWrongTry, insertOtp, lockLiveOtps, lockOtpRequest } from './otp.repo.js';

export { OTP_TTL_MINUTES };
export const OTP_MAX_TRIES = 5;
export const OTP_WINDOW_MINUTES = 15;
/** Codes per phone from one client address per window (the contract's "5 per phone"). */
export const OTP_PER_PHONE = 5;
/** Codes per phone from all addresses together per window: high, so strangers cannot shut the owner out. */
export const OTP_PER_PHONE_CEILING = 20;
export const OTP_PER_IP = 30;

/** Salted per row and keyed with the optional server secret (AUTH_SECRET): a leaked table is no list of codes. */
export const hashOtp = (secret: string, salt: string, phone: string, code: string): string =>
  createHmac('sha256', `otp:${secret}`).update(`${salt}:${phone}:${code}`).digest('hex');

export interface OtpDeps {
  db: DbOrTx;
  channel: OtpChannel;
  testNumbers: Map<string, string>;
  secret?: string;
  log?: Pick<FastifyBaseLogger, 'warn'>;
}

/**
 * Issues a sign-in code. The limits count the codes already issued (a sliding 15-minute window in the
 * database, shared by every worker and server): per phone and client address, per address, and a higher ceiling
 * per phone. A new code never voids the ones still valid, so requests from strangers cannot lock the owner out.
 * Advisory locks per address and per phone keep two racing requests honest.
 */
export async function requestOtp(deps: OtpDeps, phone: string, clientIp: string): Promise<void> {
  const testCode = deps.testNumbers.get(phone);
  const code = testCode ?? String(randomInt(0, 1_000_000)).padStart(6, '0');
  await inTx(deps.db, async (tx) => {
    await lockOtpRequest(tx, phone, clientIp);
    const c = await countRecentOtps(tx, phone, clientIp, OTP_WINDOW_MINUTES);
    const retryAfter = (oldest: Date | null) =>
      String(
        Math.max(1, Math.ceil(((oldest?.getTime() ?? Date.now()) + OTP_WINDOW_MINUTES * 60_000 - Date.now()) / 1000)),
      );
    const limited = (detail: string, oldest: Date | null) =>
      new AppError('rate_limited', detail, undefined, {
        headers: { 'retry-after': retryAfter(oldest) },
      });
    if (c.byIp >= OTP_PER_IP) throw limited('Too many codes requested from this network; try later', c.oldestIp);
    if (!testCode && c.byPhoneAndIp >= OTP_PER_PHONE)
      throw limited('Too many codes requested for this phone; try later', c.oldestPhoneAndIp);
    if (!testCode && c.byPhone >= OTP_PER_PHONE_CEILING)
      throw limited('Too many codes requested for this phone; try later', c.oldestPhone);
    const salt = randomBytes(16).toString('hex');
    await insertOtp(tx, {
      id: newId(),
      phone,
      clientIp,
      salt,
      codeHash: hashOtp(deps.secret ?? '', salt, phone, code),
      ttlMinutes: OTP_TTL_MINUTES,
    });
  });
  if (testCode) return;
  try {
    await deps.channel.send(phone, code);
  } catch (err) {
    // Channels put only a status in their errors: nothing secret reaches the log.
    deps.log?.warn(
      { channel: deps.channel.name ?? 'custom', reason: (err as Error).message },
      'sign-in code not delivered',
    );
    throw new AppError('unavailable', 'The sign-in code could not be sent; try again shortly', undefined, {
      headers: { 'retry-after': '5' },
    });
  }
  // Every send is in the outbox with its cost class; the code itself is not kept.
  await recordDirectSend(deps.db, {
    topic: 'otp.sign_in',
    recipient: phone,
    costClass: 'authentication',
    audience: 'store',
  });
}

/** Checks a code; on success consumes it, creates the merchant on first sign-in, and opens a session. */
export async function verifyOtp(
  db: DbOrTx,
  phone: string,
  code: string,
  opts: { secret?: string; previousSessionId?: string | null } = {},
): Promise<{ token: string; merchant: Merchant }> {
  const outcome = await inTx(db, async (tx) => {
    const live = await lockLiveOtps(tx, phone, OTP_MAX_TRIES);
    if (live.length === 0) return null;
    const matches = live.some((row) => {
      const expected = Buffer.from(row.code_hash);
      const given = Buffer.from(hashOtp(opts.secret ?? '', row.salt, phone, code));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (!matches) {
      // Every live code saw this wrong guess: 5 wrong tries void them all, however many were requested.
      await countWrongTry(
        tx,
        live.map((r) => r.id),
      );
      return null;
    }
    await consumeOtps(tx, phone);
    // Signing in again rotates the token: the session the client came with ends.
    if (opts.previousSessionId) await revokeSession(tx, opts.previousSessionId);
    const m = await upsertMerchant(tx, newId(), phone);
    return { token: await createSession(tx, m.id), merchant: m };
  });
  // Wrong tries must count even though the answer is an error, so the transaction commits first.
  if (!outcome) throw new AppError('invalid_code', 'The code is wrong or has expired');
  return outcome;
}

/** The language the merchant chose for their dashboard, or null (then the request decides). */
export async function merchantLanguage(db: DbOrTx, merchantId: string): Promise<Lang | null> {
  const lang = await selectMerchantLang(db, merchantId);
  return isLang(lang) ? lang : null;
}

/** Remembers the merchant's dashboard language on their account (every device they sign in on). */
export async function setMerchantLanguage(db: DbOrTx, merchantId: string, lang: Lang): Promise<void> {
  if (!isLang(lang)) throw validationFailed('Unknown language');
  await updateMerchantLang(db, merchantId, lang);
}
