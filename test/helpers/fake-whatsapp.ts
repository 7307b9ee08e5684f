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
    image?: { link?: string; id?: string; caption?: string };
    template?: unknown;
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
  /** why the fake refused the message as the Cloud API would (400, error code 100), or null */
  formatError: string | null;
}

/**
 * The checks the Cloud API makes on `POST /{phone-number-id}/messages` (Meta's documented limits): the product, a
 * recipient, and per type — text body 1..4096; image by `link` (http/https) or media `id`, caption ≤ 1024;
 * interactive button (1..3 reply buttons, ids ≤ 256, titles 1..20, unique) or list (button 1..20, 1..10 rows in all,
 * row titles 1..24, unique ids), body 1..1024. Returns what is wrong, or null.
 */
export function cloudMessageProblem(body: FakeCall['body']): string | null {
  if (body.messaging_product !== 'whatsapp') return 'messaging_product must be "whatsapp"';
  if (typeof body.to !== 'string' || !/^\+?\d{6,15}$/.test(body.to)) return 'to must be a phone number';
  switch (body.type ?? 'text') {
    case 'text': {
      const text = body.text?.body;
      return typeof text === 'string' && text.length >= 1 && text.length <= 4096 ? null : 'text.body 1..4096';
    }
    case 'image': {
      const image = body.image;
      if (!image) return 'image object required';
      if (image.link === undefined && image.id === undefined) return 'image.link or image.id required';
      if (image.link !== undefined && !/^https?:\/\/[^\s]+$/.test(image.link)) return 'image.link must be a URL';
      if (image.caption !== undefined && image.caption.length > 1024) return 'image.caption ≤ 1024';
      return null;
    }
    case 'template':
      return body.template ? null : 'template object required';
    case 'interactive': {
      const i = body.interactive;
      if (!i) return 'interactive object required';
      const text = i.body?.text;
      if (typeof text !== 'string' || text.length < 1 || text.length > 1024) return 'interactive.body.text 1..1024';
      if (i.type === 'button') {
        const buttons = i.action.buttons ?? [];
        if (buttons.length < 1 || buttons.length > 3) return '1..3 buttons';
        if (new Set(buttons.map((b) => b.reply.id)).size !== buttons.length) return 'button ids must be unique';
        for (const b of buttons)
          if (
            b.type !== 'reply' ||
            !b.reply.id ||
            b.reply.id.length > 256 ||
            !b.reply.title ||
            b.reply.title.length > 20
          )
            return 'button: type reply, id ≤ 256, title 1..20';
        return null;
      }
      if (i.type === 'list') {
        const button = i.action.button;
        if (!button || button.length > 20) return 'list button 1..20';
        const rows = (i.action.sections ?? []).flatMap((sec) => sec.rows);
        if (rows.length < 1 || rows.length > 10) return '1..10 rows';
        if (new Set(rows.map((r) => r.id)).size !== rows.length) return 'row ids must be unique';
        for (const r of rows)
          if (!r.title || r.title.length > 24 || !r.id || r.id.length > 200) return 'row title 1..24';
        return null;
      }
      return 'interactive.type must be button or list';
    }
    default:
      return `unsupported type ${body.type}`;
  }
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
        formatError: null,
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
      const formatError = cloudMessageProblem(body);
      const behaviour: FakeBehaviour = formatError
        ? { kind: 'status', status: 400 }
        : fake.behave({ n: n++, key, to: body.to });
      const call: FakeCall = {
        path: req.url ?? '',
        method: req.method ?? 'POST',
        authorization: req.headers.authorization,
        idempotencyKey: key,
        xIdempotencyKey: req.headers['x-idempotency-key'] as string | undefined,
        body,
        answered: behaviour.kind === 'hang' ? 'hang' : behaviour.kind === 'ok' ? 200 : behaviour.status,
        formatError,
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
          res.writeHead(behaviour.status, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              error: formatError
                ? { message: `(#100) Invalid parameter: ${formatError}`, type: 'OAuthException', code: 100 }
                : { message: 'fake failure', code: behaviour.status },
            }),
          );
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
