import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startFakeWhatsApp, type FakeWhatsApp } from '../helpers/fake-whatsapp.js';
import { loadConfig } from '../../src/config.js';
import {
  PermanentSendError,
  whatsappChannel,
  type MessageChannel,
  type OutboundMessage,
} from '../../src/notify/channels.js';
import { CapMemo, defaultBackoffMs, enqueueMessage, processOutboxOnce } from '../../src/notify/outbox.js';
import { newId } from '../../src/shared/ids.js';
import { claimDueRows, markSent, markSkipped, sentToday } from '../../src/notify/outbox.repo.js';
import { startOutboxWorker } from '../../src/notify/worker.js';

let testDb: TestDb;
let fake: FakeWhatsApp;
const silent = pino({ level: 'silent' });

beforeAll(async () => {
  testDb = await createTestDb();
  fake = await startFakeWhatsApp();
});
afterAll(async () => {
  await fake.close();
  await testDb.dispose();
});
beforeEach(async () => {
  await testDb.db.query(`DELETE FROM outbox`);
  fake.calls.length = 0;
  fake.delivered.length = 0;
  fake.behave = () => ({ kind: 'ok' });
});

const waConfig = () => ({ apiUrl: fake.url, token: 'test-token', phoneNumberId: '1234567890' });

function recordingChannel(fail?: (m: OutboundMessage) => Error | null): MessageChannel & { sent: OutboundMessage[] } {
  const sent: OutboundMessage[] = [];
  return {
    name: 'recording',
    sent,
    async send(m) {
      const err = fail?.(m);
      if (err) throw err;
      sent.push(m);
    },
  };
}

async function enqueueMany(n: number, recipient = '+919876543210'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++)
    // To a store's own number: held to the per-store cap only (security.messages.test.ts tests the caps).
    ids.push(
      await testDb.db.tx((tx) =>
        enqueueMessage(tx, { topic: 'test', recipient, text: `message ${i}`, audience: 'store' }),
      ),
    );
  return ids;
}

async function rows() {
  const { rows } = await testDb.db.query<{
    id: string;
    status: string;
    attempts: number;
    last_error: string | null;
    sent_at: Date | null;
    due_in_s: number;
  }>(
    `SELECT id, status, attempts, last_error, sent_at, extract(epoch FROM next_attempt_at - now())::float8 AS due_in_s\
 FROM outbox ORDER BY id`,
  );
  return rows;
}

/** Drives rounds until nothing is due (retries made due at once by the zero backoff). */
async function drain(channel: MessageChannel, opts: Parameters<typeof processOutboxOnce>[2] = {}, maxRounds = 100) {
  for (let i = 0; i < maxRounds; i++) {
    const r = await processOutboxOnce(testDb.db, channel, { backoffMs: () => 0, ...opts });
    if (r.claimed === 0) return i;
  }
  throw new Error('outbox did not drain');
}

describe('outbox delivery', () => {
  it('writes messages inside the caller transaction: a rollback loses them with the change', async () => {
    await expect(
      testDb.db.tx(async (tx) => {
        await enqueueMessage(tx, { topic: 'test', recipient: '+919876543210', text: 'never' });
        throw new Error('change failed');
      }),
    ).rejects.toThrow('change failed');
    expect(await rows()).toHaveLength(0);
  });

  it('sends due messages once and marks them sent', async () => {
    const ids = await enqueueMany(3);
    const channel = recordingChannel();
    const first = await processOutboxOnce(testDb.db, channel);
    expect(first).toEqual({ claimed: 3, sent: 3, retried: 0, failed: 0, skipped: 0 });
    expect(channel.sent.map((m) => m.id).sort()).toEqual([...ids].sort());
    expect(channel.sent[0]!.text).toMatch(/^message \d$/);
    expect((await processOutboxOnce(testDb.db, channel)).claimed).toBe(0);
    for (const r of await rows()) {
      expect(r.status).toBe('sent');
      expect(r.attempts).toBe(1);
      expect(r.sent_at).not.toBeNull();
    }
  });

  it('calls the WhatsApp Cloud API with the token, the text body and the outbox id as idempotency key', async () => {
    const [id] = await enqueueMany(1, '+91 98765 43210');
    await processOutboxOnce(testDb.db, whatsappChannel(waConfig()));
    expect(fake.calls).toHaveLength(1);
    const call = fake.calls[0]!;
    expect(call.path).toBe('/1234567890/messages');
    expect(call.authorization).toBe('Bearer test-token');
    expect(call.idempotencyKey).toBe(id);
    expect(call.xIdempotencyKey).toBe(id);
    expect(call.body).toEqual({
      messaging_product: 'whatsapp',
      to: '919876543210',
      type: 'text',
      text: { body: 'message 0' },
    });
    expect((await rows())[0]!.status).toBe('sent');
  });

  it('delivers every message through 500s and timeouts, retrying failed attempts', async () => {
    const ids = await enqueueMany(40);
    // Every third call fails with 500, every seventh hangs past the client timeout.
    fake.behave = ({ n }) =>
      n % 7 === 3 ? { kind: 'hang' } : n % 3 === 0 ? { kind: 'status', status: 500 } : { kind: 'ok' };
    await drain(whatsappChannel(waConfig(), { timeoutMs: 200 }), { batchSize: 8 });
    expect(new Set(fake.delivered)).toEqual(new Set(ids));
    const all = await rows();
    expect(all.every((r) => r.status === 'sent')).toBe(true);
    expect(all.some((r) => r.attempts > 1)).toBe(true);
    expect(fake.calls.some((c) => c.answered === 'hang')).toBe(true);
    expect(fake.calls.some((c) => c.answered === 500)).toBe(true);
  });

  it('backs off exponentially and does not retry before the row is due', async () => {
    await enqueueMany(1);
    const failing = recordingChannel(() => new Error('boom'));
    const r1 = await processOutboxOnce(testDb.db, failing);
    expect(r1).toEqual({ claimed: 1, sent: 0, retried: 1, failed: 0, skipped: 0 });
    let [row] = await rows();
    expect(row!.status).toBe('pending');
    expect(row!.attempts).toBe(1);
    expect(row!.last_error).toBe('boom');
    expect(row!.due_in_s).toBeGreaterThan(defaultBackoffMs(1) / 1000 - 5);
    expect(row!.due_in_s).toBeLessThanOrEqual(defaultBackoffMs(1) / 1000);
    // Not due yet: nothing is claimed.
    expect((await processOutboxOnce(testDb.db, failing)).claimed).toBe(0);
    await testDb.db.query(`UPDATE outbox SET next_attempt_at = now()`);
    await processOutboxOnce(testDb.db, failing);
    [row] = await rows();
    expect(row!.attempts).toBe(2);
    expect(row!.due_in_s).toBeGreaterThan(defaultBackoffMs(2) / 1000 - 5);
    expect(defaultBackoffMs(2)).toBe(2 * defaultBackoffMs(1));
    expect(defaultBackoffMs(3)).toBe(4 * defaultBackoffMs(1));
    expect(defaultBackoffMs(30)).toBe(3_600_000);
  });

  it('marks a message failed after the last attempt, with the last error', async () => {
    await enqueueMany(1);
    fake.behave = () => ({ kind: 'status', status: 503 });
    await drain(whatsappChannel(waConfig()), { maxAttempts: 4 });
    const [row] = await rows();
    expect(row!.status).toBe('failed');
    expect(row!.attempts).toBe(4);
    expect(row!.last_error).toMatch(/503/);
    expect(fake.calls).toHaveLength(4);
  });

  it('marks a permanent failure (4xx) failed at once', async () => {
    await enqueueMany(1);
    fake.behave = () => ({ kind: 'status', status: 400 });
    const r = await processOutboxOnce(testDb.db, whatsappChannel(waConfig()));
    expect(r.failed).toBe(1);
    const [row] = await rows();
    expect(row!.status).toBe('failed');
    expect(row!.attempts).toBe(1);
    expect(row!.last_error).toMatch(/400/);
  });

  it('treats 429 as retryable and PermanentSendError from any channel as permanent', async () => {
    await enqueueMany(2);
    fake.behave = () => ({ kind: 'status', status: 429 });
    const r = await processOutboxOnce(testDb.db, whatsappChannel(waConfig()));
    expect(r.retried).toBe(2);
    await testDb.db.query(`UPDATE outbox SET next_attempt_at = now()`);
    const r2 = await processOutboxOnce(
      testDb.db,
      recordingChannel(() => new PermanentSendError('not on WhatsApp')),
    );
    expect(r2.failed).toBe(2);
  });

  it('two workers running at once never send the same row twice', async () => {
    const ids = await enqueueMany(60);
    fake.behave = () => ({ kind: 'ok', delayMs: 15 });
    const channel = whatsappChannel(waConfig());
    const worker = async () => {
      let idle = 0;
      while (idle < 2) {
        const r = await processOutboxOnce(testDb.db, channel, { batchSize: 5 });
        idle = r.claimed === 0 ? idle + 1 : 0;
      }
    };
    await Promise.all([worker(), worker()]);
    const keys = fake.calls.map((c) => c.idempotencyKey);
    expect(keys).toHaveLength(60);
    expect(new Set(keys)).toEqual(new Set(ids));
    expect((await rows()).every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
  });

  it('survives a worker dying mid-send: once the lease runs out another worker delivers', async () => {
    const [id] = await enqueueMany(1);
    const dying: MessageChannel = { name: 'dying', send: () => new Promise<void>(() => {}) };
    void processOutboxOnce(testDb.db, dying, { leaseMs: 150 });
    await new Promise((r) => setTimeout(r, 50));
    const other = recordingChannel();
    expect((await processOutboxOnce(testDb.db, other)).claimed).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect((await processOutboxOnce(testDb.db, other)).sent).toBe(1);
    expect(other.sent.map((m) => m.id)).toEqual([id]);
    const [row] = await rows();
    expect(row!.status).toBe('sent');
    expect(row!.attempts).toBe(2);
  });

  it('runs in the background and stops cleanly, using WhatsApp when configured', async () => {
    const ids = await enqueueMany(5);
    const config = { ...loadConfig({}), outboxPollMs: 20, whatsapp: waConfig() };
    const worker = startOutboxWorker(testDb.db, config, silent);
    const deadline = Date.now() + 10_000;
    while ((await rows()).some((r) => r.status !== 'sent') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await worker.stop();
    expect(new Set(fake.delivered)).toEqual(new Set(ids));
    // Stopped: new messages stay pending.
    await enqueueMany(1);
    await new Promise((r) => setTimeout(r, 100));
    expect((await rows()).filter((r) => r.status === 'pending')).toHaveLength(1);
  });
});

describe('outbox round writes (claim tokens)', () => {
  it('marks each skipped row with its own reason, only where the claim is current', async () => {
    const ids = await enqueueMany(4);
    const claimed = await claimDueRows(testDb.db, 10, 60);
    expect(claimed.map((r) => r.id).sort()).toEqual([...ids].sort());
    // ids[3]'s lease ran out and another worker claimed it again: the first claim's token is stale.
    await testDb.db.query(`UPDATE outbox SET next_attempt_at = now() WHERE id = $1`, [ids[3]]);
    expect((await claimDueRows(testDb.db, 10, 60)).map((r) => [r.id, r.attempts])).toEqual([[ids[3], 2]]);
    await markSkipped(
      testDb.db,
      ids.map((id, i) => ({ id, attempts: 1, reason: `reason ${i}` })),
    );
    const after = new Map((await rows()).map((r) => [r.id, r]));
    for (const [i, id] of ids.slice(0, 3).entries()) {
      expect(after.get(id)).toMatchObject({ status: 'skipped', attempts: 1, last_error: `reason ${i}` });
    }
    expect(after.get(ids[3]!)).toMatchObject({ status: 'pending', attempts: 2, last_error: null });
  });

  it('marks sent only rows whose claim is current and still pending', async () => {
    const ids = await enqueueMany(3);
    await claimDueRows(testDb.db, 10, 60);
    await markSkipped(testDb.db, [{ id: ids[0]!, attempts: 1, reason: 'daily cap' }]);
    await testDb.db.query(`UPDATE outbox SET next_attempt_at = now() WHERE id = $1`, [ids[1]]);
    await claimDueRows(testDb.db, 10, 60);
    await markSent(
      testDb.db,
      ids.map((id) => ({ id, attempts: 1 })),
    );
    const after = new Map((await rows()).map((r) => [r.id, r]));
    // Skipped stays skipped; the re-claimed row waits for its current claim; the third is sent.
    expect(after.get(ids[0]!)).toMatchObject({ status: 'skipped', sent_at: null, last_error: 'daily cap' });
    expect(after.get(ids[1]!)).toMatchObject({ status: 'pending', attempts: 2, sent_at: null });
    expect(after.get(ids[2]!)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(after.get(ids[2]!)!.sent_at).not.toBeNull();
    await markSent(testDb.db, [{ id: ids[1]!, attempts: 2 }]);
    expect(
      (await rows())
        .filter((r) => r.status === 'sent')
        .map((r) => r.id)
        .sort(),
    ).toEqual([ids[1]!, ids[2]!].sort());
  });
});

describe('daily caps at the boundary', () => {
  /** A row as the worker would have left it: `ago` before now, in SQL interval syntax. */
  async function past(row: {
    status: string;
    ago: string;
    recipient?: string;
    storeId?: string | null;
    costClass?: string;
    audience?: string;
  }) {
    await testDb.db.query(
      `INSERT INTO outbox (id, topic, recipient, payload, status, attempts, sent_at, cost_class, audience, store_id)
       VALUES ($1, 't', $2, '{"text":"x"}', $3, 1, CASE WHEN $3 = 'sent' THEN now() - $4::interval END, $5, $6, $7)`,
      [
        newId(),
        row.recipient ?? '+919800000000',
        row.status,
        row.ago,
        row.costClass ?? 'utility',
        row.audience ?? 'store',
        row.storeId ?? null,
      ],
    );
  }
  const caps = { perStore: 5, perRecipient: 3 };

  it('counts exactly the last 24 hours of utility and marketing sends, up to the cap', async () => {
    const store = newId();
    const full = newId();
    const number = '+919811122233';
    for (let i = 0; i < 2; i++) await past({ status: 'sent', ago: '23 hours 59 minutes', storeId: store });
    await past({ status: 'sent', ago: '1 minute', storeId: store, costClass: 'marketing' });
    // Not counted: older than 24 hours, not platform-started, not sent.
    await past({ status: 'sent', ago: '24 hours 1 minute', storeId: store });
    for (const costClass of ['service', 'authentication', 'push'])
      await past({ status: 'sent', ago: '1 hour', storeId: store, costClass });
    await past({ status: 'skipped', ago: '1 hour', storeId: store });
    await past({ status: 'failed', ago: '1 hour', storeId: store });
    for (let i = 0; i < 12; i++) await past({ status: 'sent', ago: '2 hours', storeId: full });
    // Per number: only messages to a customer count, from any store.
    await past({ status: 'sent', ago: '1 hour', recipient: number, audience: 'customer', storeId: store });
    await past({ status: 'sent', ago: '1 hour', recipient: number, audience: 'customer', storeId: newId() });
    await past({ status: 'sent', ago: '1 hour', recipient: number, audience: 'store' });
    await past({ status: 'sent', ago: '25 hours', recipient: number, audience: 'customer' });
    await past({ status: 'sent', ago: '1 hour', recipient: number, audience: 'customer', costClass: 'service' });

    const none = newId();
    const today = await sentToday(testDb.db, [number, '+919800000001'], [store, full, none], caps);
    expect(Object.fromEntries(today.byRecipient)).toEqual({ [number]: 2, '+919800000001': 0 });
    // 2 utility, 1 marketing, 1 customer message about this store; the full one is counted up to its cap only.
    expect(Object.fromEntries(today.byStore)).toEqual({ [store]: 4, [full]: caps.perStore, [none]: 0 });
  });

  it('a worker remembers a store at its cap until its cap-th newest send is 24 hours old', async () => {
    const store = newId();
    const memoCaps = { perStore: 2, perRecipient: 30 };
    // At the cap until the older of the two is 24 hours old: in about 2 seconds.
    await past({ status: 'sent', ago: '23 hours 59 minutes 58 seconds', storeId: store });
    await past({ status: 'sent', ago: '1 hour', storeId: store });
    const statements: string[] = [];
    const db = new Proxy(testDb.db, {
      get(target, prop) {
        if (prop === 'query')
          return (sql: string, params?: readonly unknown[]) => {
            statements.push(sql);
            return target.query(sql, params);
          };
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const storeCounts = () => statements.filter((sql) => sql.includes('store_id = s.k')).length;
    const enqueue = (text: string) =>
      testDb.db.tx((tx) =>
        enqueueMessage(tx, { topic: 't', recipient: '+919800000200', text, data: { storeId: store } }),
      );
    const capMemo = new CapMemo();
    const channel = recordingChannel();

    await enqueue('first');
    expect(await processOutboxOnce(db, channel, { caps: memoCaps, capMemo })).toMatchObject({ sent: 0, skipped: 1 });
    expect(storeCounts()).toBe(1);
    const until = capMemo.endOf(store, memoCaps.perStore)!;
    expect(until - performance.now()).toBeGreaterThan(0);
    expect(until - performance.now()).toBeLessThanOrEqual(2_000);

    await enqueue('second');
    expect(await processOutboxOnce(db, channel, { caps: memoCaps, capMemo })).toMatchObject({ sent: 0, skipped: 1 });
    expect(storeCounts()).toBe(1);

    await new Promise((r) => setTimeout(r, until - performance.now() + 50));
    await enqueue('third');
    expect(await processOutboxOnce(db, channel, { caps: memoCaps, capMemo })).toMatchObject({ sent: 1, skipped: 0 });
    expect(storeCounts()).toBe(2);
    expect(channel.sent.map((m) => m.text)).toEqual(['third']);
  });

  it('sends up to the cap exactly and skips the rest with the reason', async () => {
    const store = newId();
    const number = '+919811122244';
    for (let i = 0; i < 4; i++) await past({ status: 'sent', ago: '23 hours', storeId: store });
    await past({ status: 'sent', ago: '24 hours 1 minute', storeId: store });
    await past({ status: 'sent', ago: '1 hour', recipient: number, audience: 'customer' });
    await past({ status: 'sent', ago: '1 hour', recipient: number, audience: 'customer' });
    await testDb.db.tx(async (tx) => {
      // 4 sent of 5 for the store: the first of these goes, the second is over.
      for (let i = 0; i < 2; i++)
        await enqueueMessage(tx, {
          topic: 't',
          recipient: `+91980000010${i}`,
          text: `s${i}`,
          data: { storeId: store },
        });
      // 2 sent of 3 to the number: one more goes, the next is over.
      for (let i = 0; i < 2; i++) await enqueueMessage(tx, { topic: 't', recipient: number, text: `n${i}` });
    });
    const channel = recordingChannel();
    const warnings: { obj: object; msg: string }[] = [];
    const log = { warn: (obj: object, msg: string) => warnings.push({ obj, msg }) };
    expect(await processOutboxOnce(testDb.db, channel, { caps, log })).toMatchObject({
      claimed: 4,
      sent: 2,
      skipped: 2,
    });
    // One line per cap reached, naming its rows; never a recipient's number.
    expect(warnings).toHaveLength(2);
    expect(warnings.map((w) => w.obj)).toEqual(
      expect.arrayContaining([
        { reason: 'daily cap: 5 messages for one store', count: 1, outboxIds: [expect.any(String)] },
        { reason: 'daily cap: 3 messages to one number', count: 1, outboxIds: [expect.any(String)] },
      ]),
    );
    expect(JSON.stringify(warnings)).not.toContain(number);
    expect(channel.sent.map((m) => m.text[0]).sort()).toEqual(['n', 's']);
    const { rows: skipped } = await testDb.db.query<{ to_number: boolean; last_error: string }>(
      `SELECT recipient = $1 AS to_number, last_error FROM outbox WHERE status = 'skipped' ORDER BY 1`,
      [number],
    );
    expect(skipped).toEqual([
      { to_number: false, last_error: 'daily cap: 5 messages for one store' },
      { to_number: true, last_error: 'daily cap: 3 messages to one number' },
    ]);
  });
});
