import { describe, expect, it } from 'vitest';
import { translator } from '../../i18n/index.js';
import { sseFrame } from './events.routes.js';
import { manifest, serviceWorkerSource } from './pwa.js';

describe('the web app manifest', () => {
  it('is an installable standalone app starting at the dashboard, with 192 and 512 px icons', () => {
    for (const lang of ['en', 'hi']) {
      const m = manifest(lang, translator(lang)) as Record<string, unknown> & { icons: { sizes: string }[] };
      expect(m).toMatchObject({ lang, display: 'standalone', start_url: '/dashboard/', scope: '/dashboard/' });
      expect(String(m.start_url).startsWith(String(m.scope))).toBe(true);
      expect(m.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
      expect(String(m.short_name).length).toBeLessThanOrEqual(12);
    }
  });
});

describe('the service worker', () => {
  it('starts with its shell list and keeps every other request on the network', () => {
    const sw = serviceWorkerSource();
    expect(sw).toMatch(/^var SHELL = \["\/dashboard\/offline","\/static\/app\.[0-9a-f]+\.css"/);
    expect(sw).toContain("addEventListener('push'");
    expect(sw).toContain("addEventListener('notificationclick'");
    expect(sw).toContain('if (SHELL.indexOf(url.pathname) === -1) return;');
  });
});

describe('sseFrame', () => {
  it('writes one text/event-stream event', () => {
    expect(sseFrame({ type: 'order', number: 12, count: 2 })).toBe('event: order\ndata: {"number":12,"count":2}\n\n');
    expect(sseFrame({ type: 'changed' })).toBe('event: changed\ndata: {}\n\n');
  });
});
