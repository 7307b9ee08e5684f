import type { Queryable } from '../db/db.js';

export interface OtpCounts {
  byPhone: number;
  byPhoneAndIp: number;
  byIp: number;
  oldestPhone: Date | null;
  oldestPhoneAndIp: Date | null;
  oldestIp: Date | null;
}

/** Serialises code requests per address and per phone (transaction-scoped advisory locks). */
export async function lockOtpRequest(tx: Queryable, phone: string, clientIp: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`otp-ip:${clientIp}`]);
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`otp-phone:${phone}`]);
}

export async function countRecentOtps(
  tx: Queryable,
  phone: string,
  clientIp: string,
  windowMinutes: number,
): Promise<OtpCounts> {
  const { rows } = await tx.query<{
    by_phone: string;
    by_phone_ip: string;
    by_ip: string;
    oldest_phone: Date | null;
    oldest_phone_ip: Date | null;
    oldest_ip: Date | null;
  }>(
    `SELECT count(*) FILTER (WHERE phone = $1) AS by_phone,
            count(*) FILTER (WHERE phone = $1 AND client_ip = $2) AS by_phone_ip,
            count(*) FILTER (WHERE client_ip = $2) AS by_ip,
            min(created_at) FILTER (WHERE phone = $1) AS oldest_phone,
            min(created_at) FILTER (WHERE phone = $1 AND client_ip = $2) AS oldest_phone_ip,
            min(created_at) FILTER (WHERE client_ip = $2) AS oldest_ip
       FROM otp_codes WHERE (phone = $1 OR client_ip = $2) AND created_at > now() - make_interval(mins => $3)`,
    [phone, clientIp, windowMinutes],
  );
  const r = rows[0]!;
  return {
    byPhone: Number(r.by_phone),
    byPhoneAndIp: Number(r.by_phone_ip),
    byIp: Number(r.by_ip),
    oldestPhone: r.oldest_phone,
    oldestPhoneAndIp: r.oldest_phone_ip,
    oldestIp: r.oldest_ip,
  };
}

export async function insertOtp(
  tx: Queryable,
  row: { id: string; phone: string; clientIp: string; salt: string; codeHash: string; ttlMinutes: number },
): Promise<void> {
  await tx.query(
    `INSERT INTO otp_codes (id, phone, client_ip, salt, code_hash, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(mins => $6))`,
    [row.id, row.phone, row.clientIp, row.salt, row.codeHash, row.ttlMinutes],
  );
}

export interface LiveOtp {
  id: string;
  salt: string;
  code_hash: string;
}

/** Every code of the phone that may still be used, newest first, locked for this attempt. */
export async function lockLiveOtps(tx: Queryable, phone: string, maxTries: number): Promise<LiveOtp[]> {
  const { rows } = await tx.query<LiveOtp>(
    `SELECT id, salt, code_hash FROM otp_codes
      WHERE phone = $1 AND consumed_at IS NULL AND expires_at > now() AND attempts < $2
      ORDER BY created_at DESC LIMIT 50 FOR UPDATE`,
    [phone, maxTries],
  );
  return rows;
}

export async function countWrongTry(tx: Queryable, ids: string[]): Promise<void> {
  await tx.query(`UPDATE otp_codes SET attempts = attempts + 1 WHERE id = ANY($1::uuid[])`, [ids]);
}

/** A successful sign-in uses up every code of the phone (one code signs in once). */
export async function consumeOtps(tx: Queryable, phone: string): Promise<void> {
  await tx.query(`UPDATE otp_codes SET consumed_at = now() WHERE phone = $1 AND consumed_at IS NULL`, [phone]);
}
