import { randomInt, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/db.js';
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
  db: Db;
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
  await deps.db.tx(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`otp-ip:${clientIp}`]);
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`otp-phone:${phone}`]);
    const { rows } = await tx.query<{
      by_phone: number;
      by_ip: number;
      oldest_phone: Date | null;
      oldest_ip: Date | null;
    }>(
      `SELECT count(*) FILTER (WHERE phone = $1) AS by_phone, count(*) FILTER (WHERE client_ip = $2) AS by_ip,
              min(created_at) FILTER (WHERE phone = $1) AS oldest_phone, min(created_at) FILTER (WHERE client_ip = $2) AS oldest_ip
         FROM otp_codes WHERE (phone = $1 OR client_ip = $2) AND created_at > now() - make_interval(mins => $3)`,
      [phone, clientIp, OTP_WINDOW_MINUTES],
    );
    const r = rows[0]!;
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
    await tx.query(`UPDATE otp_codes SET consumed_at = now() WHERE phone = $1 AND consumed_at IS NULL`, [phone]);
    await tx.query(
      `INSERT INTO otp_codes (id, phone, client_ip, code_hash, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))`,
      [newId(), phone, clientIp, hashCode(phone, code), OTP_TTL_MINUTES],
    );
  });
  if (!testCode) await deps.channel.send(phone, code);
}

/** Checks a code; on success consumes it, creates the merchant on first sign-in, and opens a session. */
export async function verifyOtp(db: Db, phone: string, code: string): Promise<{ token: string; merchant: Merchant }> {
  const outcome = await db.tx(async (tx) => {
    const { rows } = await tx.query<{ id: string; code_hash: string }>(
      `SELECT id, code_hash FROM otp_codes
        WHERE phone = $1 AND consumed_at IS NULL AND expires_at > now() AND attempts < $2
        ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
      [phone, OTP_MAX_TRIES],
    );
    const row = rows[0];
    if (!row) return null;
    const expected = Buffer.from(row.code_hash);
    const given = Buffer.from(hashCode(phone, code));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      await tx.query(`UPDATE otp_codes SET attempts = attempts + 1 WHERE id = $1`, [row.id]);
      return null;
    }
    await tx.query(`UPDATE otp_codes SET consumed_at = now() WHERE id = $1`, [row.id]);
    const merchant = await tx.query<Merchant>(
      `INSERT INTO merchants (id, phone) VALUES ($1, $2)
       ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
       RETURNING id, phone, name`,
      [newId(), phone],
    );
    const m = merchant.rows[0]!;
    return { token: await createSession(tx, m.id), merchant: m };
  });
  // Wrong tries must count even though the answer is an error, so the transaction commits first.
  if (!outcome) throw new AppError(401, 'invalid_code', 'The code is wrong or has expired');
  return outcome;
}
