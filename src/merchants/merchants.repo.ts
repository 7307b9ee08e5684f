/** SQL of merchants and their sign-in codes. The services hold the rules; everything here takes a Queryable. */
import type { Queryable } from '../db/db.js';
import type { Merchant } from '../auth/session.js';

/** Serialises code requests from one network and for one phone until the transaction ends. */
export async function lockOtpRequests(q: Queryable, phone: string, clientIp: string): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`otp-ip:${clientIp}`]);
  await q.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`otp-phone:${phone}`]);
}

export interface RecentOtps {
  by_phone: number;
  by_ip: number;
  oldest_phone: Date | null;
  oldest_ip: Date | null;
}

/** The codes issued to this phone and from this network in the last `windowMinutes`. */
export async function countRecentOtps(
  q: Queryable,
  phone: string,
  clientIp: string,
  windowMinutes: number,
): Promise<RecentOtps> {
  const { rows } = await q.query<RecentOtps>(
    `SELECT count(*) FILTER (WHERE phone = $1) AS by_phone, count(*) FILTER (WHERE client_ip = $2) AS by_ip,
            min(created_at) FILTER (WHERE phone = $1) AS oldest_phone, min(created_at) FILTER (WHERE client_ip = $2) AS oldest_ip
       FROM otp_codes WHERE (phone = $1 OR client_ip = $2) AND created_at > now() - make_interval(mins => $3)`,
    [phone, clientIp, windowMinutes],
  );
  return rows[0]!;
}

export async function voidOpenOtps(q: Queryable, phone: string): Promise<void> {
  await q.query(`UPDATE otp_codes SET consumed_at = now() WHERE phone = $1 AND consumed_at IS NULL`, [phone]);
}

export async function insertOtp(
  q: Queryable,
  otp: { id: string; phone: string; clientIp: string; codeHash: string; ttlMinutes: number },
): Promise<void> {
  await q.query(
    `INSERT INTO otp_codes (id, phone, client_ip, code_hash, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))`,
    [otp.id, otp.phone, otp.clientIp, otp.codeHash, otp.ttlMinutes],
  );
}

/** The newest live code of this phone with tries left, locked FOR UPDATE. */
export async function lockLatestLiveOtp(
  q: Queryable,
  phone: string,
  maxTries: number,
): Promise<{ id: string; code_hash: string } | null> {
  const { rows } = await q.query<{ id: string; code_hash: string }>(
    `SELECT id, code_hash FROM otp_codes
      WHERE phone = $1 AND consumed_at IS NULL AND expires_at > now() AND attempts < $2
      ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
    [phone, maxTries],
  );
  return rows[0] ?? null;
}

export async function countOtpAttempt(q: Queryable, otpId: string): Promise<void> {
  await q.query(`UPDATE otp_codes SET attempts = attempts + 1 WHERE id = $1`, [otpId]);
}

export async function consumeOtp(q: Queryable, otpId: string): Promise<void> {
  await q.query(`UPDATE otp_codes SET consumed_at = now() WHERE id = $1`, [otpId]);
}

/** The merchant with this phone, created on first sign-in. */
export async function upsertMerchant(q: Queryable, id: string, phone: string): Promise<Merchant> {
  const { rows } = await q.query<Merchant>(
    `INSERT INTO merchants (id, phone) VALUES ($1, $2)
     ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
     RETURNING id, phone, name`,
    [id, phone],
  );
  return rows[0]!;
}
