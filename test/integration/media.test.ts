import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect } from 'vitest';
import { client, merchantWithStore, signIn, type TestContext } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';
import { multipartBody, type MultipartPart } from '../helpers/multipart.js';

const it = appTest();
let owner: Awaited<ReturnType<typeof merchantWithStore>>;

it.beforeAll(async ({ ctx }) => {
  owner = await merchantWithStore(ctx);
});

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 4, background: { r: 10, g: 120, b: 90, alpha: 1 } } })
    .png()
    .toBuffer();

/** A multipart/form-data body, as a browser or curl would send it. */
function multipart(parts: MultipartPart[]) {
  const { payload, contentType } = multipartBody(parts);
  return { payload, headers: { 'content-type': contentType } };
}

async function upload(
  ctx: TestContext,
  token: string | null,
  storeId: string,
  body: ReturnType<typeof multipart>,
  extra: Record<string, string> = {},
) {
  const headers: Record<string, string> = { ...body.headers, ...extra };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/stores/${storeId}/images`,
    headers,
    payload: body.payload,
  });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

describe('POST /api/v1/stores/{storeId}/images', () => {
  it('stores a PNG as WebP in two widths and serves both with long cache headers', async ({ ctx }) => {
    const res = await upload(
      ctx,
      owner.token,
      owner.store.id,
      multipart([{ name: 'file', filename: 'rice.png', type: 'image/png', data: await png(1500, 1000) }]),
    );
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      url: expect.stringMatching(/^\/media\/[0-9a-f]{32}-1200x800\.webp$/),
      width: 1200,
      height: 800,
    });

    const large = await ctx.app.inject({ method: 'GET', url: res.body.url });
    expect(large.statusCode).toBe(200);
    expect(large.headers['content-type']).toBe('image/webp');
    expect(large.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await sharp(large.rawPayload).metadata()).width).toBe(1200);

    const small = await ctx.app.inject({ method: 'GET', url: res.body.url.replace('1200x800', '400x267') });
    expect(small.statusCode).toBe(200);
    expect(await sharp(small.rawPayload).metadata()).toMatchObject({ format: 'webp', width: 400, height: 267 });

    const again = await ctx.app.inject({
      method: 'GET',
      url: res.body.url,
      headers: { 'if-none-match': String(large.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    const files = await fs.readdir(path.join(ctx.config.dataDir, 'uploads', 'images'));
    expect(files).toEqual(expect.arrayContaining([res.body.url.slice('/media/'.length)]));
  });

  it("the uploaded URL is accepted in a product's images", async ({ ctx }) => {
    const image = await upload(
      ctx,
      owner.token,
      owner.store.id,
      multipart([{ name: 'file', filename: 'a.png', data: await png(500, 500) }]),
    );
    const product = await owner.api.post(`/api/v1/stores/${owner.store.id}/products`, {
      name: 'Dal',
      price: 9900,
      images: [image.body.url],
    });
    expect(product.status).toBe(201);
    expect(product.body.images).toEqual([image.body.url]);
  });

  it('recognises the type by content, not by the name or declared type', async ({ ctx }) => {
    const disguised = await upload(
      ctx,
      owner.token,
      owner.store.id,
      multipart([{ name: 'file', filename: 'photo.png', type: 'image/png', data: '<svg onload="alert(1)"></svg>' }]),
    );
    expect(disguised.status).toBe(415);
    expect(disguised.body.code).toBe('unsupported_media_type');
    const jpegNamedTxt = await upload(
      ctx,
      owner.token,
      owner.store.id,
      multipart([
        {
          name: 'file',
          filename: 'notes.txt',
          type: 'text/plain',
          data: await sharp(await png(40, 40))
            .jpeg()
            .toBuffer(),
        },
      ]),
    );
    expect(jpegNamedTxt.status).toBe(201);
  });

  it('answers 413 past 5 MB, 400 without a file, 415 for a JSON body, 422 for a damaged image', async ({ ctx }) => {
    const big = await upload(
      ctx,
      owner.token,
      owner.store.id,
      multipart([
        {
          name: 'file',
          filename: 'big.png',
          data: Buffer.concat([await png(10, 10), Buffer.alloc(5 * 1024 * 1024 + 10)]),
        },
      ]),
    );
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('payload_too_large');

    const noFile = await upload(ctx, owner.token, owner.store.id, multipart([{ name: 'note', data: 'hello' }]));
    expect(noFile.status).toBe(400);
    expect(noFile.body.code).toBe('validation_failed');

    const json = await owner.api.post(`/api/v1/stores/${owner.store.id}/images`, { url: 'https://x.example/a.png' });
    expect(json.status).toBe(415);
    expect(json.body.code).toBe('unsupported_media_type');

    const good = await png(64, 64);
    const damaged = await upload(
      ctx,
      owner.token,
      owner.store.id,
      multipart([
        { name: 'file', filename: 'x.png', data: Buffer.concat([good.subarray(0, 60), Buffer.alloc(100, 1)]) },
      ]),
    );
    expect(damaged.status).toBe(422);
    expect(damaged.body.code).toBe('validation_failed');
  });

  it('takes a 4 MB picture (more than the JSON body limit)', async ({ ctx }) => {
    const noisy = await sharp(Buffer.from(Array.from({ length: 1200 * 1000 * 3 }, (_, i) => (i * 7919) % 251)), {
      raw: { width: 1200, height: 1000, channels: 3 },
    })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(noisy.length).toBeGreaterThan(3 * 1024 * 1024);
    expect(noisy.length).toBeLessThan(5 * 1024 * 1024);
    const res = await upload(
      ctx,
      owner.token,
      owner.store.id,
      multipart([{ name: 'file', filename: 'n.png', data: noisy }]),
    );
    expect(res.status).toBe(201);
  });

  it("answers 401 without a session and 404 for another merchant's or an unknown store", async ({ ctx }) => {
    const body = multipart([{ name: 'file', filename: 'a.png', data: await png(20, 20) }]);
    expect((await upload(ctx, null, owner.store.id, body)).status).toBe(401);
    const other = await signIn(ctx);
    const foreign = await upload(ctx, other.token, owner.store.id, body);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'not_found']);
    expect((await upload(ctx, owner.token, '0195f4c2-0000-7000-8000-00000000abcd', body)).status).toBe(404);
    expect((await upload(ctx, owner.token, 'not-a-uuid', body)).status).toBe(404);
  });

  it('replays a retried upload with the same Idempotency-Key', async ({ ctx }) => {
    const body = multipart([{ name: 'file', filename: 'a.png', data: await png(30, 30) }]);
    const key = { 'idempotency-key': `img-${Math.random()}` };
    const first = await upload(ctx, owner.token, owner.store.id, body, key);
    const second = await upload(ctx, owner.token, owner.store.id, body, key);
    expect(first.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
  });
});

describe('GET /media/{name}', () => {
  it('answers 404 for unknown, malformed and traversal names', async ({ ctx }) => {
    for (const url of [
      '/media/' + 'c'.repeat(32) + '-10x10.webp',
      '/media/..%2F..%2Fetc%2Fpasswd',
      '/media/x.webp',
      '/media/%2e%2e',
    ]) {
      const res = await client(ctx.app).get(url);
      expect(res.status, url).toBe(404);
    }
  });
});
