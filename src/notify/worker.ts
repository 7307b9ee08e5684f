import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { logChannel, whatsappChannel, type MessageChannel } from './channels.js';
import { CapMemo, processOutboxOnce, type ProcessOptions } from './outbox.js';
import { pushChannel, routedChannel } from './push.js';

export interface OutboxWorker {
  stop(): Promise<void>;
}

export function channelFor(config: Pick<Config, 'whatsapp'>, log: FastifyBaseLogger): MessageChannel {
  return config.whatsapp ? whatsappChannel(config.whatsapp) : logChannel(log);
}

/**
 * Delivers outbox messages in the background: a round every `config.outboxPollMs`, more rounds at once while
 * full batches keep coming. Every process may run one; claims keep them off each other's rows.
 */
export function startOutboxWorker(
  db: Db,
  config: Config,
  log: FastifyBaseLogger,
  opts: ProcessOptions & { channel?: MessageChannel } = {},
): OutboxWorker {
  // Web Push rows (`push.*`) go to the browsers' push services, every other message to WhatsApp (or the log).
  const channel = opts.channel ?? routedChannel(pushChannel(db, config), channelFor(config, log));
  const batchSize = opts.batchSize ?? 20;
  const capMemo = opts.capMemo ?? new CapMemo();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const round = async () => {
    try {
      for (;;) {
        const r = await processOutboxOnce(db, channel, { ...opts, batchSize, log, capMemo });
        if (stopped || r.claimed < batchSize) break;
      }
    } catch (err) {
      if (!stopped) log.warn({ err }, 'outbox round failed; retrying on the next tick');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round().finally(() => {
        running = null;
        schedule();
      });
    }, config.outboxPollMs);
    timer.unref();
  };
  schedule();
  log.info({ channel: channel.name, pollMs: config.outboxPollMs }, 'outbox worker started');

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (running) await running;
    },
  };
}
