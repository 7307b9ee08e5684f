/**
 * The inbox worker: takes stored webhook messages and has the bot answer them, like the outbox worker delivers
 * messages — a round every WHATSAPP_POLL_MS, at once when this process's webhook just stored something (rounds
 * overlap, up to MAX_ROUNDS), more while messages keep coming. Each reply goes out through the outbox as soon as its
 * message is done (no wait for the outbox's tick, nor for the round's slowest message).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/db.js';
import type { MessageChannel } from '../notify/channels.js';
import { processOutboxOnce } from '../notify/outbox.js';
import { handleInboxRow, INBOX_MAX_ATTEMPTS, StaleClaimError, type BotConfig } from './whatsapp.service.js';
import * as repo from './whatsapp.repo.js';

const LEASE_SECONDS = 60;

export interface InboxRoundResult {
  claimed: number;
  done: number;
  skipped: number;
  retried: number;
  failed: number;
}

/**
 * Sends due outbox messages until none is left; calls made while it runs are folded into one more pass, so each
 * answered chat message gets its reply out at once without one outbox round per message.
 */
function outboxFlusher(db: Db, channel: MessageChannel, log?: Pick<FastifyBaseLogger, 'warn'>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const pass = async () => {
    do {
      again = false;
      for (;;) {
        const sent = await processOutboxOnce(db, channel, { batchSize: 50, log });
        if (sent.claimed < 50) break;
      }
    } while (again);
  };
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = pass().finally(() => {
      running = null;
    });
    return running;
  };
}

/**
 * One round: claim due messages (the oldest of each sender) and handle them side by side; each reply is sent as
 * soon as its message is done (not after the slowest of the round). Resolves when every reply of the round is out.
 */
export async function processInboxOnce(
  db: Db,
  config: BotConfig,
  channel: MessageChannel | null,
  opts: { batchSize?: number; log?: Pick<FastifyBaseLogger, 'warn'> } = {},
): Promise<InboxRoundResult> {
  const rows = await repo.claimInbox(db, opts.batchSize ?? 50, LEASE_SECONDS);
  const result: InboxRoundResult = { claimed: rows.length, done: 0, skipped: 0, retried: 0, failed: 0 };
  const flush = channel ? outboxFlusher(db, channel, opts.log) : null;
  const sending: Promise<void>[] = [];
  await Promise.all(
    rows.map(async (row) => {
      try {
        const outcome = await handleInboxRow(db, config, row);
        result[outcome]++;
        if (outcome === 'done' && flush) sending.push(flush());
      } catch (err) {
        if (err instanceof StaleClaimError) return; // the worker holding the current claim answers it
        const error = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
        if (row.attempts >= INBOX_MAX_ATTEMPTS) {
          await repo.finishInbox(db, row.id, row.attempts, 'failed', error);
          result.failed++;
        } else {
          await repo.retryInboxLater(db, row.id, row.attempts, error, 5 * 2 ** (row.attempts - 1));
          result.retried++;
        }
        opts.log?.warn({ inboxId: row.id, attempts: row.attempts, error }, 'whatsapp message not processed');
      }
    }),
  );
  await Promise.all(sending);
  if (flush && result.done > 0) await flush(); // anything a pass already under way had claimed before it was written
  return result;
}

const wakers = new Set<() => void>();

/** Called by the webhook after storing messages: this process's worker starts a round now. */
export function wakeInboxWorkers(): void {
  for (const wake of wakers) wake();
}

export interface InboxWorker {
  stop(): Promise<void>;
}

/** Rounds one process runs at once: a message that arrives during a round starts its own, up to this many. */
const MAX_ROUNDS = 4;

export function startInboxWorker(
  db: Db,
  config: BotConfig & { whatsappPollMs: number },
  log: FastifyBaseLogger,
  channel: MessageChannel | null,
): InboxWorker {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const rounds = new Set<Promise<void>>();
  let again = false;
  const round = async () => {
    try {
      for (;;) {
        again = false;
        const r = await processInboxOnce(db, config, channel, { log });
        if (stopped || (r.claimed === 0 && !again)) break;
      }
    } catch (err) {
      if (!stopped) log.warn({ err }, 'whatsapp inbox round failed; retrying on the next tick');
    }
  };
  // Rounds overlap (claims skip what another round holds, and a sender's next message waits for the one before),
  // so a message that arrives while a slow round runs is not held up by it.
  const run = () => {
    if (stopped) return;
    if (rounds.size >= MAX_ROUNDS) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = null;
    const running: Promise<void> = round().finally(() => {
      rounds.delete(running);
      if (rounds.size === 0) schedule();
    });
    rounds.add(running);
  };
  const schedule = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = null;
      run();
    }, config.whatsappPollMs);
    timer.unref();
  };
  wakers.add(run);
  schedule();
  return {
    async stop() {
      stopped = true;
      wakers.delete(run);
      if (timer) clearTimeout(timer);
      await Promise.all(rounds);
    },
  };
}
