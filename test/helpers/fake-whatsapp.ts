import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake does with one call: answer 200, answer an error status, or never answer (a timeout). */
export type FakeBehaviour = { kind: 'ok'; delayMs?: number } | { kind: 'status'; status: number } | { kind: 'hang' };

export interface FakeCall {
  path: string;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  xIdempotencyKey: string | undefined;
  body: { messaging_product?: string; to?: string; type?: string; text?: { body?: string } };
  answered: number | 'hang';
}

export interface FakeWhatsApp {
  url: string;
  calls: FakeCall[];
  /** idempotency keys answered 200, in order (a key may appear twice if the sender retried after a lost answer) */
  delivered: string[];
  /** decides each call; `n` counts calls from 0 */
  behave: (call: { n: number; key: string | undefined; to: string | undefined }) => FakeBehaviour;
  close(): Promise<void>;
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
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
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
