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
 * Cloud API error codes that say "not now" though the HTTP status is a 4xx (Meta answers its throttling errors with
 * 400): 4 app call limit, 80007 account rate limit, 130429 throughput, 131048 spam rate limit, 131056 pair rate
 * limit (one business number to one customer), and 1/2/131000/131016/133004 service trouble. A reply refused with
 * one of these is sent again later, not dropped.
 */
const TRANSIENT_GRAPH_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056, 133004]);

/** Whether a failed send may succeed later: 408, 429, 5xx, or a transient Cloud API error code in the body. */
export function retryableSendFailure(status: number, body: string): boolean {
  if (status === 408 || status === 429 || status >= 500) return true;
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return TRANSIENT_GRAPH_CODES.has(Number(code));
  } catch {
    return false;
  }
}

/**
 * WhatsApp Cloud API: `POST {apiUrl}/{phoneNumberId}/messages` with a text body. The outbox id goes in
 * `Idempotency-Key` and `X-Idempotency-Key` so a retry after a lost answer can be recognised downstream.
 * 408, 429 and 5xx, network errors/timeouts and Meta's throttling codes (retryableSendFailure) are retried; any
 * other 4xx is permanent.
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
      const text = await res.text().catch(() => '');
      const detail = text.slice(0, 500);
      const msg = `WhatsApp API answered ${res.status}${detail ? `: ${detail}` : ''}`;
      if (retryableSendFailure(res.status, text)) throw new Error(msg);
      throw new PermanentSendError(msg);
    },
  };
}
