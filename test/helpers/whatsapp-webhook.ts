/** Webhook payloads in the Cloud API's format, signed like Meta signs them (X-Hub-Signature-256). */
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export type Inbound =
  | { text: string }
  | { image: string }
  | { button: string; title?: string }
  | { listRow: string; title?: string };

let seq = 0;

/** A `messages` webhook for one message; `id` defaults to a fresh wamid. */
export function webhookPayload(opts: { phoneNumberId: string; from: string; id?: string } & Inbound) {
  const id = opts.id ?? `wamid.HBgM${Date.now()}${++seq}`;
  const base = { from: opts.from, id, timestamp: String(Math.floor(Date.now() / 1000)) };
  let message: Record<string, unknown>;
  if ('text' in opts) message = { ...base, type: 'text', text: { body: opts.text } };
  else if ('image' in opts)
    message = { ...base, type: 'image', image: { id: opts.image, mime_type: 'image/png', sha256: 'x' } };
  else if ('button' in opts)
    message = {
      ...base,
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: opts.button, title: opts.title ?? opts.button } },
    };
  else
    message = {
      ...base,
      type: 'interactive',
      interactive: { type: 'list_reply', list_reply: { id: opts.listRow, title: opts.title ?? opts.listRow } },
    };
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: opts.phoneNumberId },
              contacts: [{ profile: { name: 'Customer' }, wa_id: opts.from }],
              messages: [message],
            },
          },
        ],
      },
    ],
  };
}

export function sign(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** POSTs a payload to the webhook, signed with `secret` (or the given signature header). */
export async function postWebhook(
  app: FastifyInstance,
  payload: unknown,
  secret: string,
  signature?: string | null,
): Promise<{ status: number; body: string }> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const sig = signature === undefined ? sign(body, secret) : signature;
  if (sig !== null) headers['x-hub-signature-256'] = sig;
  const res = await app.inject({ method: 'POST', url: '/webhooks/whatsapp', headers, payload: body });
  return { status: res.statusCode, body: res.body };
}
