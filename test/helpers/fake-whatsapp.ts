import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake does with one call: answer 200, answer an error status, or never answer (a timeout). */
export type FakeBehaviour = { kind: 'ok'; delayMs?: number } | { kind: 'status'; status: number } | { kind: 'hang' };

export interface FakeCall {
  path: string;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  xIdempotencyKey: string | undefined;
  method: string;
  body: {
    messaging_product?: string;
    to?: string;
    type?: string;
    text?: { body?: string };
    interactive?: {
      type: 'button' | 'list';
      body: { text: string };
      action: {
        buttons?: { type: string; reply: { id: string; title: string } }[];
        button?: string;
        sections?: { title: string; rows: { id: string; title: string }[] }[];
      };
    };
  };
  answered: number | 'hang';
}

export interface FakeWhatsApp {
  url: string;
  calls: FakeCall[];
  /** idempotency keys answered 200, in order (a key may appear twice if the sender retried after a lost answer) */
  delivered: string[];
  /** decides each call; `n` counts calls from 0 */
  behave: (call: { n: number; key: string | undefined; to: string | undefined }) => FakeBehaviour;
  /** Inbound media the fake serves like the Cloud API: `GET /{id}` → `{ url, mime_type, file_size }`, then the url. */
  media: Map<string, { bytes: Buffer; mime: string }>;
  /** the bearer token media requests must carry (unset: any) */
  token?: string;
  /** messages sent (POST …/messages answered 200), in order */
  sent(): FakeCall[];
  close(): Promise<void>;
}

/** The text a sent message shows: a text body, or an interactive message's body. */
export function shownText(call: FakeCall): string {
  return call.body.text?.body ?? call.body.interactive?.body.text ?? '';
}

/** A local stand-in for the WhatsApp Cloud API (`POST /{phoneNumberId}/messages`) that can fail on purpose. */
export async function startFakeWhatsApp(
  behave: FakeWhatsApp['behave'] = () => ({ kind: 'ok' }),
): Promise<FakeWhatsApp> {
  const hanging = new Set<http.ServerResponse>();
  let n = 0;
  const fake: FakeWhatsApp = {
    url: '',
    calls: [],
    delivered: [],
    behave,
    media: new Map(),
    sent: () => fake.calls.filter((c) => c.method === 'POST' && c.answered === 200),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      // Media: GET /{media-id} → its URL; GET /media-bytes/{media-id} → the bytes. Both need the bearer token.
      fake.calls.push({
        path: req.url ?? '',
        method: 'GET',
        authorization: req.headers.authorization,
        idempotencyKey: undefined,
        xIdempotencyKey: undefined,
        body: {},
        answered: 200,
      });
      if (fake.token && req.headers.authorization !== `Bearer ${fake.token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":190}}');
        return;
      }
      const [, first, second] = (req.url ?? '').split('/');
      const id = decodeURIComponent(first === 'media-bytes' ? (second ?? '') : (first ?? ''));
      const item = fake.media.get(id);
      if (!item) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":100}}');
      } else if (first === 'media-bytes') {
        res.writeHead(200, { 'content-type': item.mime }).end(item.bytes);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            messaging_product: 'whatsapp',
            url: `${fake.url}/media-bytes/${encodeURIComponent(id)}`,
            mime_type: item.mime,
            file_size: item.bytes.length,
            id,
          }),
        );
      }
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: FakeCall['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeCall['body'];
      } catch {
        /* recorded as empty */
      }
      const key = req.headers['idempotency-key'] as string | undefined;
      const behaviour = fake.behave({ n: n++, key, to: body.to });
      const call: FakeCall = {
        path: req.url ?? '',
        method: req.method ?? 'POST',
        authorization: req.headers.authorization,
        idempotencyKey: key,
        xIdempotencyKey: req.headers['x-idempotency-key'] as string | undefined,
        body,
        answered: behaviour.kind === 'hang' ? 'hang' : behaviour.kind === 'ok' ? 200 : behaviour.status,
      };
      fake.calls.push(call);
      if (behaviour.kind === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const answer = () => {
        if (behaviour.kind === 'ok') {
          if (key) fake.delivered.push(key);
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: `wamid.${n}` }] }));
        } else {
          res
            .writeHead(behaviour.status, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { message: 'fake failure', code: behaviour.status } }));
        }
      };
      if (behaviour.kind === 'ok' && behaviour.delayMs) setTimeout(answer, behaviour.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
