import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { type Commit, inTx, type DbOrTx } from '../db/db.js';
import { AppError, validationFailed } from '../shared/errors.js';
import { recordDirectSend } from '../notify/outbox.js';
import {
  countWhatsappCodeTry,
  deleteWhatsappCode,
  lockWhatsappCode,
  markWhatsappVerified,
  putWhatsappCode,
  selectStoreById,
} from './stores.repo.js';

/**
 * Verifying a store's WhatsApp number (issue 10, item 5): the platform messages a number only once its owner showed
 * they hold it — a 6-digit code sent to it (through the sign-in code channel: the WhatsApp authentication
 * template or SMS) typed back, or the number is the owner's own signed-in phone (stores.service.ts).
 */
export const STORE_CODE_TTL_MINUTES = 10;
/** One code per store per minute; a new one replaces the old. */
export const STORE_CODE_EVERY_SECONDS = 60;
export const STORE_CODE_MAX_TRIES = 5;

/** Where the code goes: the same interface as the sign-in code channels (src/merchants/otp-channel.ts). */
export interface CodeChannel {
  readonly name?: string;
  send(phone: string, code: string): Promise<void>;
}

const hashCode = (secret: string, salt: string, storeId: string, phone: string, code: string): string =>
  createHmac('sha256', `store-whatsapp:${secret}`).update(`${salt}:${storeId}:${phone}:${code}`).digest('hex');

export interface VerifyDeps {
  db: DbOrTx;
  channel: CodeChannel;
  secret?: string;
  log?: { warn(obj: object, msg: string): void };
}

/**
 * Sends a code to the store's number. 409 without a number or once verified; 429 within a minute of the last. The
 * code commits before it is sent (no transaction stays open across the send); the record of the send commits
 * through `commit`, with a keyed request's stored answer.
 */
export async function sendStoreWhatsappCode(
  deps: VerifyDeps,
  storeId: string,
  commit: Commit = (work) => work(deps.db),
): Promise<{ sentTo: string; expiresInMinutes: number }> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const phone = await inTx(deps.db, async (tx) => {
    const store = await selectStoreById(tx, storeId);
    if (!store?.whatsapp) throw new AppError('conflict', 'The store has no WhatsApp number to verify');
    if (store.whatsapp_verified_at) throw new AppError('conflict', 'The WhatsApp number is already verified');
    const last = await lockWhatsappCode(tx, storeId);
    if (last && last.phone === store.whatsapp && last.age_seconds < STORE_CODE_EVERY_SECONDS) {
      const wait = String(Math.max(1, Math.ceil(STORE_CODE_EVERY_SECONDS - last.age_seconds)));
      throw new AppError('rate_limited', 'A code was sent a moment ago; wait a minute', undefined, {
        headers: { 'retry-after': wait },
      });
    }
    const salt = randomBytes(16).toString('hex');
    await putWhatsappCode(tx, {
      storeId,
      phone: store.whatsapp,
      salt,
      codeHash: hashCode(deps.secret ?? '', salt, storeId, store.whatsapp, code),
      ttlMinutes: STORE_CODE_TTL_MINUTES,
    });
    return store.whatsapp;
  });
  try {
    await deps.channel.send(phone, code);
  } catch (err) {
    deps.log?.warn({ channel: deps.channel.name ?? 'custom', reason: (err as Error).message }, 'store code not sent');
    throw new AppError('unavailable', 'The code could not be sent; try again shortly', undefined, {
      headers: { 'retry-after': '5' },
    });
  }
  return commit(async (q) => {
    await recordDirectSend(q, {
      topic: 'store.whatsapp_code',
      recipient: phone,
      costClass: 'authentication',
      audience: 'store',
      storeId,
    });
    return { sentTo: phone, expiresInMinutes: STORE_CODE_TTL_MINUTES };
  });
}

/** Checks the code typed back; on success the number is verified. 5 wrong tries void the code. */
export async function confirmStoreWhatsappCode(db: DbOrTx, storeId: string, code: string, secret = ''): Promise<void> {
  const ok = await inTx(db, async (tx) => {
    const store = await selectStoreById(tx, storeId);
    const row = await lockWhatsappCode(tx, storeId);
    if (!store?.whatsapp || !row?.live || row.attempts >= STORE_CODE_MAX_TRIES || row.phone !== store.whatsapp)
      return false;
    const expected = Buffer.from(row.code_hash);
    const given = Buffer.from(hashCode(secret, row.salt, storeId, row.phone, code.trim()));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      await countWhatsappCodeTry(tx, storeId);
      return false;
    }
    await deleteWhatsappCode(tx, storeId);
    return markWhatsappVerified(tx, storeId, row.phone);
  });
  if (!ok)
    throw validationFailed(
      'The code is wrong or has expired; send a new one',
      [{ code: 'invalid', path: '/code', message: 'wrong or expired code' }],
      422,
    );
}
