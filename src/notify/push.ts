/**
 * Web Push for new orders (RFC 8030 delivery, RFC 8291 aes128gcm payload encryption, RFC 8292 VAPID), through the
 * `web-push` library. A new order's row trigger (migration 150) writes one outbox row per subscription
 * (its topic push.order_placed, its recipient the subscription id); the outbox worker hands those rows to
 * `pushChannel`, which reads the order and the member's language, encrypts and POSTs. A push service that answers
 * 404 or 410 has dropped the subscription: the row is deleted and the message marked failed. 429, 5xx and network
 * errors are retried with the outbox's backoff.
 */
import webpush, { WebPushError } from 'web-push';
import type { Config } from '../config.js';
import type { DbOrTx, Queryable } from '../db/db.js';
import { isLang, money, t } from '../i18n/index.js';
import { newId } from '../shared/ids.js';
import { notFound, validationFailed, type ProblemItem } from '../shared/errors.js';
import { PermanentSendError, type MessageChannel } from './channels.js';
import {
  deleteSubscriptionByEndpoint,
  forgetSubscription,
  pushTarget,
  readVapidKeys,
  storeVapidKeys,
  subscriptionExists,
  upsertSubscription,
  type PushTarget,
} from './push.repo.js';

/** The outbox topic of a new-order push. */
export const PUSH_TOPIC_PREFIX = 'push.';

const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function decodedLength(value: string): number {
  return B64URL.test(value) ? Buffer.from(value, 'base64url').length : -1;
}

/**
 * A browser's PushSubscription (`subscription.toJSON()`), checked: an https endpoint (the server POSTs there, so
 * nothing else — no http, no credentials in the URL), a P-256 public key (65 bytes, uncompressed) and a 16-byte
 * auth secret, base64url. Every problem at once.
 */
export function checkSubscription(input: unknown): { endpoint: string; p256dh: string; auth: string } {
  const errors: ProblemItem[] = [];
  const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const keys = (typeof body.keys === 'object' && body.keys !== null ? body.keys : {}) as Record<string, unknown>;
  const endpoint = typeof body.endpoint === 'string' ? body.endpoint : '';
  let url: URL | null = null;
  try {
    url = endpoint.length <= 2000 ? new URL(endpoint) : null;
  } catch {
    url = null;
  }
  if (url?.protocol !== 'https:' || url.username || url.password)
    errors.push({ code: 'invalid', path: '/endpoint', message: 'must be an https URL of at most 2000 characters' });
  const p256dh = typeof keys.p256dh === 'string' ? keys.p256dh : '';
  const key = B64URL.test(p256dh) ? Buffer.from(p256dh, 'base64url') : Buffer.alloc(0);
  if (key.length !== 65 || key[0] !== 4)
    errors.push({ code: 'invalid', path: '/keys/p256dh', message: 'must be a base64url P-256 public key (65 bytes)' });
  const auth = typeof keys.auth === 'string' ? keys.auth : '';
  if (decodedLength(auth) !== 16)
    errors.push({ code: 'invalid', path: '/keys/auth', message: 'must be a base64url 16-byte secret' });
  if (errors.length) throw validationFailed('The push subscription is not valid', errors, 422);
  return { endpoint, p256dh, auth };
}

export interface PushNotification {
  title: string;
  body: string;
  /** Opened on a tap (the dashboard's order link, which finds the order's store). */
  url: string;
  /** One notification per order: a repeat replaces it. */
  tag: string;
  orderId: string;
  number: number;
}

/** What the phone shows for a new order, in the member's language. */
export function newOrderNotification(target: PushTarget, orderId: string): PushNotification {
  const lang = isLang(target.lang) ? target.lang : 'en';
  return {
    title: t(lang, 'push.newOrderTitle', { number: target.number, store: target.storeName }),
    body: t(lang, 'push.newOrderBody', {
      customer: target.customerName ?? '',
      total: money(lang, target.total, target.currency),
      items: target.items,
    }),
    url: `/dashboard/orders/${orderId}`,
    tag: `order-${orderId}`,
    orderId,
    number: target.number,
  };
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

let cachedKeys: { db: Queryable; keys: VapidKeys } | null = null;

/**
 * The key pair pushes are signed with: VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY when set, else the pair in the database,
 * made on first use (every worker and app server reads the same row; the first to write it wins).
 */
export async function vapidKeys(db: Queryable, config: Pick<Config, 'vapid'>): Promise<VapidKeys> {
  const { publicKey, privateKey, subject } = config.vapid;
  if (publicKey && privateKey) return { publicKey, privateKey, subject };
  if (cachedKeys?.db === db) return cachedKeys.keys;
  const stored = (await readVapidKeys(db)) ?? (await storeVapidKeys(db, webpush.generateVAPIDKeys()));
  const keys = { ...stored, subject };
  cachedKeys = { db, keys };
  return keys;
}

/** Saves (or refreshes) this browser's subscription for the store; returns its id. */
export async function subscribe(db: DbOrTx, storeId: string, merchantId: string, input: unknown): Promise<string> {
  const s = checkSubscription(input);
  return upsertSubscription(db, { id: newId(), storeId, merchantId, ...s });
}

/** Stops pushes to this browser for the store. */
export async function unsubscribe(db: DbOrTx, storeId: string, endpoint: string): Promise<void> {
  if (!(await deleteSubscriptionByEndpoint(db, storeId, endpoint))) throw notFound('No such subscription');
}

export async function isSubscribed(db: DbOrTx, storeId: string, endpoint: string): Promise<boolean> {
  return subscriptionExists(db, storeId, endpoint);
}

export interface PushChannelOptions {
  /** How long a push service may take to answer (ms). */
  timeoutMs?: number;
  /** How long the push service keeps an undelivered push (seconds): a new order is stale after a day. */
  ttlSeconds?: number;
}

/** The channel for `push.*` outbox rows. */
export function pushChannel(
  db: Queryable,
  config: Pick<Config, 'vapid'>,
  opts: PushChannelOptions = {},
): MessageChannel {
  const timeout = opts.timeoutMs ?? 10_000;
  const TTL = opts.ttlSeconds ?? 86_400;
  return {
    name: 'webpush',
    async send(message) {
      const subscriptionId = String(message.data?.subscriptionId ?? message.recipient);
      const orderId = String(message.data?.orderId ?? '');
      const target = await pushTarget(db, subscriptionId, orderId);
      // The member left the store or unsubscribed, or the order is gone: nothing to send, ever.
      if (!target) throw new PermanentSendError('push subscription or order no longer exists');
      const vapidDetails = await vapidKeys(db, config);
      const payload = JSON.stringify(newOrderNotification(target, orderId));
      try {
        await webpush.sendNotification(
          { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
          payload,
          { vapidDetails, TTL, timeout, urgency: 'high', contentEncoding: 'aes128gcm' },
        );
      } catch (err) {
        if (err instanceof WebPushError) {
          const what = `push service answered ${err.statusCode}`;
          if (err.statusCode === 404 || err.statusCode === 410) {
            await forgetSubscription(db, subscriptionId);
            throw new PermanentSendError(`${what}: subscription gone, removed`);
          }
          if (err.statusCode === 408 || err.statusCode === 429 || err.statusCode >= 500) throw new Error(what);
          throw new PermanentSendError(`${what}: ${String(err.body).slice(0, 300)}`);
        }
        throw new Error(`push request failed: ${(err as Error).message}`);
      }
    },
  };
}

/** Sends `push.*` rows through `push`, everything else through `other` (WhatsApp or the log). */
export function routedChannel(push: MessageChannel, other: MessageChannel): MessageChannel {
  return {
    name: `${other.name}+${push.name}`,
    send: (message) => (message.topic.startsWith(PUSH_TOPIC_PREFIX) ? push : other).send(message),
  };
}
