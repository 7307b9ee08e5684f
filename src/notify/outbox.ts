import type { DbOrTx, Queryable } from '../db/db.js';
import {
  claimDueRows,
  insertOutboxRow,
  insertSentRow,
  markFailed,
  markRetry,
  markSent,
  markSkipped,
  sentToday,
  type ClaimedRow,
} from './outbox.repo.js';
import { newId } from '../shared/ids.js';
import { PermanentSendError, type MessageChannel, type OutboundMessage } from './channels.js';

/**
 * Transactional outbox. A change and the messages it causes are written in one transaction
 * (`enqueueMessage(tx, …)`); a worker delivers them afterwards, at least once, with the row id as the
 * idempotency id. All state lives in the `outbox` table, so delivery survives restarts and crashes.
 */

/**
 * WhatsApp's pricing categories: `utility` (order updates, the default), `authentication` (codes), `service`
 * (answers inside a conversation the customer started), `marketing` (unused).
 */
export type CostClass = 'utility' | 'authentication' | 'service' | 'marketing';
/** Who a message is for: the store's own number (owner or verified WhatsApp) or a customer. */
export type Audience = 'store' | 'customer';

export interface OutboxMessageInput {
  topic: string;
  /** E.164 phone number */
  recipient: string;
  text: string;
  /** anything worth keeping with the message (order id, store id, ...) */
  data?: Record<string, unknown>;
  /** default `utility` */
  costClass?: CostClass;
  /** default `customer` */
  audience?: Audience;
}

/**
 * Daily caps (rolling 24 hours), checked by the worker right before sending: a message over a cap is not sent and
 * its row is marked `skipped`. Only messages the platform starts (`utility`, `marketing`) count: codes have their
 * own limits and `service` answers go to someone who is writing to the store.
 */
export interface MessageCaps {
  /** messages about one store (to its number and to its customers) */
  perStore: number;
  /** messages to one customer number, across all stores */
  perRecipient: number;
}
export const DEFAULT_MESSAGE_CAPS: MessageCaps = { perStore: 2000, perRecipient: 30 };

export interface OutboxPayload {
  text: string;
  data?: Record<string, unknown>;
}

/** Writes one message; call it with the transaction that makes the change it announces. */
export async function enqueueMessage(tx: Queryable, input: OutboxMessageInput): Promise<string> {
  const id = newId();
  const payload: OutboxPayload = { text: input.text, ...(input.data ? { data: input.data } : {}) };
  const storeId = input.data?.storeId;
  await insertOutboxRow(tx, {
    id,
    topic: input.topic,
    recipient: input.recipient,
    payload: JSON.stringify(payload),
    costClass: input.costClass ?? 'utility',
    audience: input.audience ?? 'customer',
    storeId: typeof storeId === 'string' ? storeId : null,
  });
  return id;
}

/**
 * Records a message another channel already delivered (a sign-in or verification code): the outbox is the one
 * record of every send and its cost class. The text is not kept — it held a code.
 */
export async function recordDirectSend(
  q: Queryable,
  input: { topic: string; recipient: string; costClass: CostClass; audience: Audience; storeId?: string | null },
): Promise<void> {
  await insertSentRow(q, {
    id: newId(),
    topic: input.topic,
    recipient: input.recipient,
    payload: JSON.stringify({ text: '(code not kept)' }),
    costClass: input.costClass,
    audience: input.audience,
    storeId: input.storeId ?? null,
  });
}

/**
 * Stores known to be at their daily cap, and until when (a `performance.now()` time): a worker keeps one across
 * rounds and skips the count of such a store, which would read `perStore` index entries each round. Exact: a
 * store's count stays at or over the cap until the cap-th newest counted send is 24 hours old, and newer sends only
 * push that later (sent rows are not deleted within their day: retention keeps them 30 days). The time is kept
 * on this process's monotonic clock, measured from before the count was asked, so it ends no later than the
 * database's.
 */
export class CapMemo {
  private readonly ends = new Map<string, number>();
  private key = (store: string, perStore: number) => `${perStore}:${store}`;

  /** The stores of `stores` still at a cap of `perStore` at `now`. Forgets ended entries once it holds many. */
  atCap(stores: readonly string[], perStore: number, now: number): Set<string> {
    if (this.ends.size > 10_000) for (const [k, end] of this.ends) if (end <= now) this.ends.delete(k);
    return new Set(stores.filter((s) => (this.ends.get(this.key(s, perStore)) ?? 0) > now));
  }

  /** Stores at a cap of `perStore` for `endsInMs` more, by a count asked at `asked` (same clock as `atCap`'s). */
  remember(perStore: number, asked: number, endsInMs: ReadonlyMap<string, number>): void {
    for (const [s, ms] of endsInMs) this.ends.set(this.key(s, perStore), asked + ms);
  }

  /** When the store's remembered cap ends, if one is remembered. */
  endOf(store: string, perStore: number): number | undefined {
    return this.ends.get(this.key(store, perStore));
  }
}

export interface ProcessOptions {
  /** rows claimed per round */
  batchSize?: number;
  /** after this many attempts a failing row is marked failed */
  maxAttempts?: number;
  /** how long a claim keeps other workers off a row; must exceed the channel's timeout */
  leaseMs?: number;
  /** delay before retry number `attempt + 1`, given the attempts made so far (≥ 1) */
  backoffMs?: (attempts: number) => number;
  log?: { warn(obj: object, msg: string): void };
  /** default DEFAULT_MESSAGE_CAPS */
  caps?: MessageCaps;
  /** kept across rounds by a worker; without it every round counts */
  capMemo?: CapMemo;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** 30 s, 1 min, 2 min, … capped at 1 h: eight attempts span about an hour of an outage. */
export function defaultBackoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

export interface ProcessResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  /** not sent: a daily cap was reached */
  skipped: number;
}

/**
 * Splits a claimed batch into rows within the daily caps and rows over them, counting what was sent in the last
 * 24 hours plus the batch's own earlier rows. Several workers at once may overshoot a cap by up to a batch each.
 */
async function applyCaps<P>(
  db: DbOrTx,
  rows: ClaimedRow<P>[],
  caps: MessageCaps,
  memo: CapMemo | undefined,
): Promise<{ send: ClaimedRow<P>[]; over: { row: ClaimedRow<P>; reason: string }[] }> {
  const capped = (r: ClaimedRow<P>) => r.cost_class === 'utility' || r.cost_class === 'marketing';
  const counted = rows.filter(capped);
  if (counted.length === 0) return { send: rows, over: [] };
  const recipients = [
    ...new Set(counted.filter((r) => r.audience === 'customer' && r.recipient).map((r) => r.recipient!)),
  ];
  const stores = [...new Set(counted.map((r) => r.store_id).filter((s): s is string => !!s))];
  const asked = performance.now();
  const atCap = memo?.atCap(stores, caps.perStore, asked) ?? new Set<string>();
  const today = await sentToday(
    db,
    recipients,
    stores.filter((s) => !atCap.has(s)),
    caps,
  );
  for (const s of atCap) today.byStore.set(s, caps.perStore);
  memo?.remember(caps.perStore, asked, today.storeCapEndsInMs);
  const send: ClaimedRow<P>[] = [];
  const over: { row: ClaimedRow<P>; reason: string }[] = [];
  for (const row of rows) {
    if (!capped(row)) {
      send.push(row);
      continue;
    }
    const toCustomer = row.audience === 'customer' && row.recipient;
    const byRecipient = toCustomer ? (today.byRecipient.get(row.recipient!) ?? 0) : 0;
    const byStore = row.store_id ? (today.byStore.get(row.store_id) ?? 0) : 0;
    if (toCustomer && byRecipient >= caps.perRecipient)
      over.push({ row, reason: `daily cap: ${caps.perRecipient} messages to one number` });
    else if (row.store_id && byStore >= caps.perStore)
      over.push({ row, reason: `daily cap: ${caps.perStore} messages for one store` });
    else {
      send.push(row);
      if (toCustomer) today.byRecipient.set(row.recipient!, byRecipient + 1);
      if (row.store_id) today.byStore.set(row.store_id, byStore + 1);
    }
  }
  return { send, over };
}

/**
 * One round: claim due rows, send them, record the outcome. The claim (`FOR UPDATE SKIP LOCKED`) is one statement,
 * its own short transaction, and leases each row by pushing `next_attempt_at` past the send, so concurrent workers
 * take disjoint rows and nothing is held open during the network call. `attempts` is bumped by the claim and
 * doubles as the claim token: an outcome is only recorded by the worker whose claim is current.
 */
export async function processOutboxOnce(
  db: DbOrTx,
  channel: MessageChannel,
  opts: ProcessOptions = {},
): Promise<ProcessResult> {
  const batchSize = opts.batchSize ?? 20;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const leaseSeconds = (opts.leaseMs ?? 60_000) / 1000;
  const backoffMs = opts.backoffMs ?? defaultBackoffMs;

  // One autocommit statement: it is its own transaction, without a BEGIN and a COMMIT round trip around it.
  const claimed = await claimDueRows<OutboxPayload>(db, batchSize, leaseSeconds);

  const result: ProcessResult = { claimed: claimed.length, sent: 0, retried: 0, failed: 0, skipped: 0 };
  const { send: rows, over } = await applyCaps(db, claimed, opts.caps ?? DEFAULT_MESSAGE_CAPS, opts.capMemo);
  // One statement for the round's skipped rows: a store over its cap would otherwise cost one per message.
  await markSkipped(
    db,
    over.map(({ row, reason }) => ({ id: row.id, attempts: row.attempts, reason })),
  );
  result.skipped = over.length;
  // One line per cap reached in the round, not one per message: a store over its cap during a sale would otherwise
  // write a log line for every order's every message (1,200 a second in the checkout bench). Each row keeps its
  // reason in `last_error`.
  const idsByReason = new Map<string, string[]>();
  for (const { row, reason } of over) idsByReason.set(reason, [...(idsByReason.get(reason) ?? []), row.id]);
  for (const [reason, outboxIds] of idsByReason)
    opts.log?.warn({ reason, count: outboxIds.length, outboxIds }, 'outbox messages not sent: daily cap');
  const delivered: { id: string; attempts: number }[] = [];
  // Messages to one recipient go out one after another in the order they were written (ids are time-ordered):
  // the bot's "order placed" text before its QR image. Different recipients are sent side by side.
  const byRecipient = new Map<string, typeof rows>();
  for (const row of [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const key = row.recipient ?? row.id;
    byRecipient.set(key, [...(byRecipient.get(key) ?? []), row]);
  }
  const sendOne = async (row: (typeof rows)[number]) => {
    const payload: OutboxPayload =
      typeof row.payload === 'string' ? (JSON.parse(row.payload) as OutboxPayload) : row.payload;
    try {
      if (!row.recipient) throw new PermanentSendError('message has no recipient');
      const whatsapp = payload.data?.whatsapp as OutboundMessage['whatsapp'] | undefined;
      await channel.send({
        id: row.id,
        topic: row.topic,
        recipient: row.recipient,
        text: payload.text,
        ...(whatsapp ? { whatsapp } : {}),
        ...(payload.data ? { data: payload.data } : {}),
      });
      delivered.push({ id: row.id, attempts: row.attempts });
    } catch (err) {
      const error = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      const permanent = err instanceof PermanentSendError;
      if (permanent || row.attempts >= maxAttempts) {
        await markFailed(db, row, error);
        result.failed++;
        opts.log?.warn({ outboxId: row.id, attempts: row.attempts, error }, 'outbox message failed for good');
      } else {
        await markRetry(db, row, error, backoffMs(row.attempts) / 1000);
        result.retried++;
      }
    }
  };
  await Promise.all(
    [...byRecipient.values()].map(async (group) => {
      for (const row of group) await sendOne(row);
    }),
  );
  if (delivered.length) {
    // One statement (one commit) for the whole batch, not one per message: under a stream of orders this was a
    // commit per order. If it fails the round fails; the rows stay leased and are sent again (at least once).
    await markSent(db, delivered);
    result.sent = delivered.length;
  }
  return result;
}
