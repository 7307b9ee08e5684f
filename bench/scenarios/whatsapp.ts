/**
 * WhatsApp chat: 100 customers chat with the `bench` store at the same time through the signed webhook, each
 * like a person — a message, wait for the shop's answer, the next message — through the whole seed chat: the store
 * code, an items list (the bill), a change (a new bill), confirm, the address, cash on delivery (the order is
 * placed through the same checkout), "status". Measured per message: from the webhook POST to the reply arriving
 * at the Cloud API stand-in (bench/lib/cloud-api.ts), i.e. webhook → inbox → worker → bot → outbox → send.
 * Each customer takes 1–3 s to type the next message (the measured run, and the target: every message answered,
 * p99 < 1 s); a second run sends each message right after its answer (stress, in the details).
 */
import type { LoadResult, StepStats } from '../lib/load.js';
import { UsageMeter } from '../lib/proc.js';
import { Samples, StatusCounts } from '../lib/stats.js';
import { countDbWork, workPerFlow, type Scenario, type ScenarioEnv } from '../lib/scenario.js';
import { runAlone } from '../run-alone.js';
import { poolOf } from '../lib/scenario.js';
import { PLENTIFUL_STOCK } from '../seed.js';

export const TITLE = 'WhatsApp chat (100 conversations at once, webhook → reply)';
export const CONVERSATIONS = 100;
const REPLY_TIMEOUT_MS = 30_000;
/** How long a customer takes to type the next message after the shop's answer, ms. */
const TYPING: readonly [number, number] = [1000, 3000];

/** The seed's chat, one customer's messages in order (each answered by exactly one reply). */
export function conversationScript(slug: string, productName: string, i: number): { step: string; text: string }[] {
  return [
    { step: 'store code', text: `ORDER ${slug}` },
    { step: 'items list → bill', text: `2 ${productName}` },
    { step: 'change → new bill', text: '1 ko 3 karo' },
    { step: 'confirm → address?', text: 'confirm' },
    { step: 'address → pay how?', text: `Customer ${i}, ${i + 1} MG Road, Camp, Pune 411001` },
    { step: 'COD → order placed', text: 'cod' },
    { step: 'status', text: 'status' },
  ];
}

function webhookBody(phoneNumberId: string, from: string, id: string, text: string): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000000', phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: 'Bench' }, wa_id: from }],
              messages: [
                { from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } },
              ],
            },
          },
        ],
      },
    ],
  });
}

interface Round {
  seconds: number;
  startedAt: number;
  perStep: Map<string, { samples: Samples; statuses: StatusCounts; ok: number; errors: number }>;
  all: Samples;
  webhook: StatusCounts;
  unanswered: number;
  errors: string[];
}

/** `conversations` customers at once, each walking the script; every message timed to its reply. */
async function chatRound(
  env: ScenarioEnv,
  names: string[],
  conversations: number,
  /** a customer's pause before each message (typing), ms: [min, max); [0, 0] sends the next at once */
  typing: readonly [number, number],
): Promise<Round> {
  const api = env.cloudApi!;
  const prefix = String(9000 + Math.floor(Math.random() * 1000)); // +91 9…: a valid Indian mobile number
  const round: Round = {
    seconds: 0,
    startedAt: performance.now(),
    perStep: new Map(),
    all: new Samples(),
    webhook: new StatusCounts(),
    unanswered: 0,
    errors: [],
  };
  await Promise.all(
    Array.from({ length: conversations }, async (_, i) => {
      const from = `91${prefix}${String(i).padStart(6, '0')}`;
      for (const [k, message] of conversationScript(env.store.slug, names[i % names.length]!, i).entries()) {
        const stats = round.perStep.get(message.step) ?? {
          samples: new Samples(),
          statuses: new StatusCounts(),
          ok: 0,
          errors: 0,
        };
        round.perStep.set(message.step, stats);
        if (typing[1] > 0) await new Promise((r) => setTimeout(r, typing[0] + Math.random() * (typing[1] - typing[0])));
        const body = webhookBody(api.phoneNumberId, from, `wamid.bench.${from}.${k}`, message.text);
        const reply = api.nextReply(from, REPLY_TIMEOUT_MS);
        const sent = performance.now();
        let status = 0;
        try {
          const res = await fetch(`${env.baseUrl}/webhooks/whatsapp`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-hub-signature-256': api.sign(body) },
            body,
          });
          status = res.status;
          await res.arrayBuffer();
        } catch (err) {
          round.errors.push((err as Error).message);
        }
        round.webhook.add(status);
        stats.statuses.add(status);
        try {
          const at = await reply;
          stats.samples.add(at - sent);
          round.all.add(at - sent);
          stats.ok++;
        } catch (err) {
          round.unanswered++;
          stats.errors++;
          round.errors.push((err as Error).message);
          return; // the customer gives up: the rest of the script would answer out of step
        }
      }
    }),
  );
  round.seconds = (performance.now() - round.startedAt) / 1000;
  return round;
}

export const whatsapp: Scenario = async (env) => {
  const base = { name: 'whatsapp' as const, title: TITLE, ceiling: null };
  if (!env.cloudApi)
    return { ...base, state: 'missing', note: 'needs the server the bench starts (its replies go to a stand-in)' };
  const probeRes = await fetch(`${env.baseUrl}/webhooks/whatsapp`, { method: 'POST', body: '{}' });
  if (probeRes.status !== 401)
    return { ...base, state: 'missing', note: `POST /webhooks/whatsapp unsigned answered ${probeRes.status}, not 401` };

  // Products a customer would type by name: one variant each, plentiful stock (the checkout never runs out).
  const { rows } = await poolOf(env).query<{ name: string }>(
    `SELECT p.name FROM products p JOIN variants v ON v.product_id = p.id AND v.archived_at IS NULL
      WHERE p.store_id = $1 AND p.is_active AND p.archived_at IS NULL AND v.stock >= $2
      GROUP BY p.id, p.name HAVING count(*) = 1 ORDER BY p.id LIMIT $3`,
    [env.store.storeId, PLENTIFUL_STOCK / 2, CONVERSATIONS],
  );
  const names = rows.map((r) => r.name);
  if (!names.length) return { ...base, state: 'failed', note: 'no single-variant product with stock in the store' };

  if (env.opts.warmup > 0) await chatRound(env, names, 10, [0, 0]);
  const ordersBefore = await whatsappOrders(env);
  const meter = new UsageMeter(env.serverPid);
  meter.start();
  // Measured: people chatting — each customer takes 1–3 s to type the next message after the shop's answer.
  const { result: round, db } = await countDbWork(env, () => chatRound(env, names, CONVERSATIONS, TYPING));
  const usage = meter.stop();
  const placed = (await whatsappOrders(env)) - ordersBefore;
  // Then the stress case: the same 100 conversations with no pause at all (each message right after its answer).
  const burst = await chatRound(env, names, CONVERSATIONS, [0, 0]);
  const burstLatency = burst.all.summary();

  const steps = new Map<string, StepStats>();
  for (const [name, s] of round.perStep)
    steps.set(name, {
      latency: s.samples.summary(),
      statuses: s.statuses,
      ok: s.ok,
      expected: 0,
      errors: s.errors,
      rate: s.ok / round.seconds,
      lastOkAt: 0,
    });
  const latency = round.all.summary();
  const load: LoadResult = {
    seconds: round.seconds,
    requests: round.webhook.total,
    rps: latency.count / round.seconds,
    latency,
    statuses: round.webhook,
    ok: latency.count,
    expected: 0,
    errors: round.webhook.count((s) => s !== 200),
    socketErrors: 0,
    timeouts: round.unanswered,
    steps,
    usage,
    startedAt: round.startedAt,
  };
  const messages = CONVERSATIONS * conversationScript(env.store.slug, '', 0).length;
  const problems = [
    ...(round.unanswered ? [`${round.unanswered} messages never answered`] : []),
    ...(load.errors ? [`webhook answers ${round.webhook.toString()}`] : []),
    ...(latency.p99 >= 1000 ? [`p99 ${latency.p99.toFixed(0)} ms ≥ 1 s`] : []),
  ];
  return {
    ...base,
    state: 'ok',
    headline: { label: 'messages answered/s', value: latency.count / round.seconds },
    load,
    db: workPerFlow(db, latency.count, 'chat message answered'),
    note: problems.length ? `TARGET MISSED: ${problems.join('; ')}` : undefined,
    details: [
      `${CONVERSATIONS} conversations at once, ${latency.count} of ${messages} messages answered in ` +
        `${round.seconds.toFixed(1)} s; ${placed} orders placed in the chats; ` +
        `webhook answers ${round.webhook.toString()}`,
      ...[...steps].map(
        ([name, s]) =>
          `${name}: p50 ${s.latency.p50.toFixed(0)} / p90 ${s.latency.p90.toFixed(0)} / ` +
          `p99 ${s.latency.p99.toFixed(0)} ms`,
      ),
      ...(round.errors.length ? [`first error: ${round.errors[0]}`] : []),
      `no typing pause (stress): ${burstLatency.count} of ${messages} answered in ${burst.seconds.toFixed(1)} s ` +
        `(${(burstLatency.count / burst.seconds).toFixed(1)} messages/s), p50 ${burstLatency.p50.toFixed(0)} / ` +
        `p90 ${burstLatency.p90.toFixed(0)} / p99 ${burstLatency.p99.toFixed(0)} ms`,
    ],
  };
};

async function whatsappOrders(env: ScenarioEnv): Promise<number> {
  const { rows } = await poolOf(env).query<{ n: number }>(
    `SELECT count(*)::int AS n FROM orders WHERE store_id = $1 AND source = 'whatsapp'`,
    [env.store.storeId],
  );
  return rows[0]!.n;
}

await runAlone(import.meta.url, 'whatsapp', whatsapp);
