/**
 * A stand-in for the WhatsApp Cloud API for the `whatsapp` scenario: the server under test sends its chat replies
 * here (`POST /{phone-number-id}/messages`, as to Meta), and the scenario waits for the reply to each customer
 * message. Answers like the Cloud API (`{ messaging_product, contacts, messages: [{ id }] }`); records when each
 * reply to each number arrived. Also signs webhook bodies the way Meta does (X-Hub-Signature-256).
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CloudApiSink {
  url: string;
  phoneNumberId: string;
  /** The environment that points dukaan at this stand-in (and sets the webhook's secret). */
  serverEnv(): Record<string, string>;
  /** `sha256=<hex HMAC>` of a webhook body, keyed with the app secret the server was given. */
  sign(body: string): string;
  /** Resolves with performance.now() when the next reply to `to` arrives (register before sending). */
  nextReply(to: string, timeoutMs: number): Promise<number>;
  /** Replies received, all numbers together. */
  received(): number;
  close(): Promise<void>;
}

export async function startCloudApiSink(): Promise<CloudApiSink> {
  const appSecret = `bench-${Math.random().toString(36).slice(2)}`;
  const token = `bench-token-${Math.random().toString(36).slice(2)}`;
  const phoneNumberId = '100000000000042';
  const waiting = new Map<string, ((at: number) => void)[]>();
  let received = 0;
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      let to = '';
      try {
        to = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to?: unknown }).to ?? '');
      } catch {
        /* not JSON: answered 400 below */
      }
      if (req.method !== 'POST' || !to || req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"code":100}}');
        return;
      }
      received++;
      const queue = waiting.get(to);
      const resolve = queue?.shift();
      if (queue && queue.length === 0) waiting.delete(to);
      resolve?.(at);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          messaging_product: 'whatsapp',
          contacts: [{ wa_id: to }],
          messages: [{ id: `wamid.b${++n}` }],
        }),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    phoneNumberId,
    serverEnv: () => ({
      WHATSAPP_API_URL: url,
      WHATSAPP_TOKEN: token,
      WHATSAPP_PHONE_NUMBER_ID: phoneNumberId,
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_VERIFY_TOKEN: 'bench',
    }),
    sign: (body) => `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`,
    nextReply(to, timeoutMs) {
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          const queue = waiting.get(to) ?? [];
          const i = queue.indexOf(done);
          if (i >= 0) queue.splice(i, 1);
          reject(new Error(`no reply to ${to} within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = (at: number) => {
          clearTimeout(timer);
          resolve(at);
        };
        const queue = waiting.get(to) ?? [];
        queue.push(done);
        waiting.set(to, queue);
      });
    },
    received: () => received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
