/** Strict-Transport-Security only on answers that went out over HTTPS (directly or through a trusted proxy). */
import { describe, expect } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { appTest } from '../helpers/fixture.js';

const it = appTest();

describe('HSTS', () => {
  it('is not sent over plain HTTP, on the API or on pages', async ({ ctx }) => {
    for (const url of ['/healthz', '/api/v1/storefront/nope', '/dashboard/signin']) {
      const res = await ctx.app.inject({ url });
      expect(res.statusCode, url).toBeLessThan(500);
      expect(res.headers['strict-transport-security'], url).toBeUndefined();
    }
  });

  it('is sent when a trusted proxy says the request came over HTTPS', async ({ ctx }) => {
    const res = await ctx.app.inject({ url: '/healthz', headers: { 'x-forwarded-proto': 'https' } });
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('is not sent when an untrusted client claims HTTPS', async () => {
    const direct = await createTestApp({ trustProxy: false });
    try {
      const res = await direct.app.inject({ url: '/healthz', headers: { 'x-forwarded-proto': 'https' } });
      expect(res.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await direct.close();
    }
  });
});
