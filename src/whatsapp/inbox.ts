/**
 * The inbox worker: takes stored webhook messages and has the bot answer them, like the outbox worker delivers
 * messages — a round every WHATSAPP_POLL_MS, at once when this process's webhook just stored something, more rounds
 * while messages keep coming. Replies go out through the outbox right after each round (no wait for its tick).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/db.js';
import type { MessageChannel } from '../notify/channels.js';
import { processOutboxOnce } from '../notify/outbox.js';
import { handleInboxRow, type BotConfig } from './whatsapp.service.js';
import * as repo from './whatsapp.repo.js';

export const INBOX_MAX_ATTEMPTS = 5;
const LEASE_SECONDS = 60;

export interface InboxRoundResult {
  claimed: number;
  done: number;
  skipped: number;
  retried: number;
  failed: number;
}

/** One round: claim due messages (the oldest of each sender), handle them side by side, then send the replies. */
export async function processInboxOnce(
  db: Db,
  config: BotConfig,
  channel: MessageChannel | null,
  opts: { batchSize?: number; log?: Pick<FastifyBaseLogger, 'warn'> } = {},
): Promise<InboxRoundResult> {
  const rows = await repo.claimInbox(db, opts.batchSize ?? 50, LEASE_SECONDS);
  const result: InboxRoundResult = { claimed: rows.length, done: 0, skipped: 0, retried: 0, failed: 0 };
  await Promise.all(
    rows.map(async (row) => {
      try {
        result[await handleInboxRow(db, config, row)]++;
      } catch (err) {
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
  if (channel && result.done > 0) {
    for (;;) {
      const sent = await processOutboxOnce(db, channel, { batchSize: 50, log: opts.log });
      if (sent.claimed < 50) break;
    }
  }
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

export function startInboxWorker(
  db: Db,
  config: BotConfig & { whatsappPollMs: number },
  log: FastifyBaseLogger,
  channel: MessageChannel | null,
): InboxWorker {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
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
  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    running = round().finally(() => {
      running = null;
      schedule();
    });
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(run, config.whatsappPollMs);
    timer.unref();
  };
  wakers.add(run);
  schedule();
  return {
    async stop() {
      stopped = true;
      wakers.delete(run);
      if (timer) clearTimeout(timer);
      if (running) await running;
    },
  };
}
