/**
 * The webhook and the bot at their edges, as Meta's Cloud API calls them: what is logged, signatures, sizes, odd
 * shapes, failing media and sends, and which store a message on the shared number is for.
 */
import { Writable } from 'node:stream';
import { describe, expect } from 'vitest';
import { buildApp } from '../../src/app.js';
import { merchantWithStore } from '../helpers/app.js';
import { whatsappTest } from '../helpers/fixture.js';

const SECRET = 'edges-app-secret';
const VERIFY = 'edges-verify-token-0d1e';
const SHARED = '100000000000071';

const it = whatsappTest((fake) => ({
  whatsapp: { apiUrl: fake.url, token: 'edges-graph-token', phoneNumberId: SHARED },
  whatsappAppSecret: SECRET,
  whatsappVerifyToken: VERIFY,
}));

let owner: Awaited<ReturnType<typeof merchantWithStore>>;

it.beforeAll(async ({ ctx }) => {
  owner = await merchantWithStore(ctx, { name: 'Edge Kirana', slug: 'edge-kirana' });
  await owner.api.post(`/api/v1/stores/${owner.store.id}/products`, { name: 'Tata Salt 1 kg', price: 2800 });
}, 180_000);

describe('logs', () => {
  it('the verification token in the query string never reaches the request log', async ({ ctx }) => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const app = await buildApp({ config: ctx.config, db: ctx.testDb.db, logger: { level: 'info', stream } });
    try {
      const res = await app.inject({
        url: `/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=77`,
      });
      expect(res.body).toBe('77');
    } finally {
      await app.close();
    }
    const log = lines.join('');
    expect(log).toContain('hub.verify_token=[redacted]&hub.challenge=77');
    expect(log).not.toContain(VERIFY);
  });
});
