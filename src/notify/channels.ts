import type { FastifyBaseLogger } from 'fastify';

/** One message to deliver. `id` is the outbox row id: the channel passes it on as an idempotency id. */
export interface OutboundMessage {
  id: string;
  topic: string;
  recipient: string;
  text: string;
  /**
   * From this number (a store's own connected number; default: config), and a Cloud API message object
   * (interactive, image, …) to send instead of `text`.
   */
  whatsapp?: { phoneNumberId?: string; message?: Record<string, unknown> };
  /** What the message is about (`data` of the outbox row: order id, store id, push subscription id, …). */
  data?: Record<string, unknown>;
}

/**
 * The outbox `data` that sends a message from a store's own WhatsApp number (when it connected one), so the
 * customer hears from the number they chat with.
 */
export function fromStoreNumber(store: { whatsapp_phone_number_id: string | null }): {
  whatsapp?: { phoneNumberId: string };
} {
  return store.whatsapp_phone_number_id ? { whatsapp: { phoneNumberId: store.whatsapp_phone_number_id } } : {};
}

/** Where messages go. `send` resolves when the far side accepted the message, throws otherwise. */
export interface MessageChannel {
  readonly name: string;
  send(message: OutboundMessage): Promise<void>;
}

/** A failure that retrying cannot fix (e.g. the number is not on WhatsApp): the row is marked failed at once. */
export class PermanentSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentSendError';
  }
}

/** The default channel: writes each message to the log (development, demos, tests). */
export function logChannel(log: Pick<FastifyBaseLogger, 'info'>): MessageChannel {
  return {
    name: 'log',
    async send(message) {
      log.info(
        { outboxId: message.id, topic: message.topic, to: message.recipient, text: message.text },
        'message (log channel)',
      );
    },
  };
}

export interface WhatsAppConfig {
  apiUrl: string;
  token: string;
  phoneNumberId: string;
}

const WHATSAPP_TEXT_LIMIT = 4096;

/**
 * WhatsApp Cloud API: `POST {apiUrl}/{phoneNumberId}/messages` with a text body. The outbox id goes in
 * `Idempotency-Key` and `X-Idempotency-Key` so a retry after a lost answer can be recognised downstream.
 * 408, 429 and 5xx and network errors/timeouts are retried; any other 4xx is permanent.
 */
export function whatsappChannel(
  config: WhatsAppConfig,
  opts: { timeoutMs?: number; fetch?: typeof fetch } = {},
): MessageChannel {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const doFetch = opts.fetch ?? fetch;
  const endpointOf = (phoneNumberId: string) =>
    `${config.apiUrl.replace(/\/$/, '')}/${encodeURIComponent(phoneNumberId)}/messages`;
  return {
    name: 'whatsapp',
    async send(message) {
      const to = message.recipient.replace(/\D/g, '');
      if (!to) throw new PermanentSendError(`no phone number in recipient "${message.recipient}"`);
      const endpoint = endpointOf(message.whatsapp?.phoneNumberId ?? config.phoneNumberId);
      const body = JSON.stringify({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to,
        ...message.whatsapp?.message,
      });
      const textBody = JSON.stringify({
        messaging_product: 'whatsapp',
        to,
        type: 'text',
        text: {
          body:
            message.text.length > WHATSAPP_TEXT_LIMIT
              ? `${message.text.slice(0, WHATSAPP_TEXT_LIMIT - 1)}…`
              : message.text,
        },
      });
      let res: Response;
      try {
        res = await doFetch(endpoint, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${config.token}`,
            'content-type': 'application/json',
            'idempotency-key': message.id,
            'x-idempotency-key': message.id,
          },
          body: message.whatsapp?.message ? body : textBody,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const e = err as Error;
        throw new Error(
          e.name === 'TimeoutError' || e.name === 'AbortError'
            ? `timed out after ${timeoutMs} ms`
            : `request failed: ${e.message}`,
        );
      }
      if (res.ok) {
        await res.arrayBuffer().catch(() => undefined);
        return;
      }
      const detail = (await res.text().catch(() => '')).slice(0, 500);
      const msg = `WhatsApp API answered ${res.status}${detail ? `: ${detail}` : ''}`;
      if (res.status === 408 || res.status === 429 || res.status >= 500) throw new Error(msg);
      throw new PermanentSendError(msg);
    },
  };
}
