import { randomInt, timingSafeEqual } from 'node:crypto';
import { inTx, type DbOrTx } from '../db/db.js';
import {
  consumeOtp,
  countOtpAttempt,
  countRecentOtps,
  insertOtp,
  lockLatestLiveOtp,
  lockOtpRequests,
  upsertMerchant,
  voidOpenOtps,
} from './merchants.repo.js';
import { AppError } from '../shared/errors.js';
import { newId, sha256 } from '../shared/ids.js';
import { createSession, type Merchant } from '../auth/session.js';
import type { OtpChannel } from './otp-channel.js';

export const OTP_TTL_MINUTES = 10;
export const OTP_MAX_TRIES = 5;
export const OTP_WINDOW_MINUTES = 15;
export const OTP_PER_PHONE = 5;
export const OTP_PER_IP = 30;

const hashCode = (phone: string, code: string) => sha256(`otp:${phone}:${code}`);

export interface OtpDeps {
  db: DbOrTx;
  channel: OtpChannel;
  testNumbers: Map<string, string>;
}

/**
 * Issues a sign-in code. The limits count the codes already issued (a sliding 15-minute window in the
 * database, shared by every worker and server); an advisory lock per phone keeps two racing requests honest.
 */
export async function requestOtp(deps: OtpDeps, phone: string, clientIp: string): Promise<void> {
  const testCode = deps.testNumbers.get(phone);
  const code = testCode ?? String(randomInt(0, 1_000_000)).padStart(6, '0');
  await inTx(deps.db, async (tx) => {
    await lockOtpRequests(tx, phone, clientIp);
    const r = await countRecentOtps(tx, phone, clientIp, OTP_WINDOW_MINUTES);
    const retryAfter = (oldest: Date | null) =>
      String(
        Math.max(1, Math.ceil(((oldest?.getTime() ?? Date.now()) + OTP_WINDOW_MINUTES * 60_000 - Date.now()) / 1000)),
      );
    if (r.by_ip >= OTP_PER_IP)
      throw new AppError(429, 'rate_limited', 'Too many codes requested from this network; try later', undefined, {
        'retry-after': retryAfter(r.oldest_ip),
      });
    if (!testCode && r.by_phone >= OTP_PER_PHONE)
      throw new AppError(429, 'rate_limited', 'Too many codes requested for this phone; try later', undefined, {
        'retry-after': retryAfter(r.oldest_phone),
      });
    // A new code voids the older ones.
    await voidOpenOtps(tx, phone);
    await insertOtp(tx, { id: newId(), phone, clientIp, codeHash: hashCode(phone, code), ttlMinutes: OTP_TTL_MINUTES });
  });
  if (!testCode) await deps.channel.send(phone, code);
}

/** Checks a code; on success consumes it, creates the merchant on first sign-in, and opens a session. */
export async function verifyOtp(
  db: DbOrTx,
  phone: string,
  code: string,
): Promise<{ token: string; merchant: Merchant }> {
  const outcome = await inTx(db, async (tx) => {
    const row = await lockLatestLiveOtp(tx, phone, OTP_MAX_TRIES);
    if (!row) return null;
    const expected = Buffer.from(row.code_hash);
    const given = Buffer.from(hashCode(phone, code));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      await countOtpAttempt(tx, row.id);
      return null;
    }
    await consumeOtp(tx, row.id);
    const m = await upsertMerchant(tx, newId(), phone);
    return { token: await createSession(tx, m.id), merchant: m };
  });
  // Wrong tries must count even though the answer is an error, so the transaction commits first.
  if (!outcome) throw new AppError(401, 'invalid_code', 'The code is wrong or has expired');
  return outcome;
}
