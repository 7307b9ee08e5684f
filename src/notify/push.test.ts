import { createECDH, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { parseVapid } from '../config.js';
import { AppError } from '../shared/errors.js';
import { orderEventsBetween } from './order-events.js';
import { checkSubscription, newOrderNotification, routedChannel } from './push.js';
import type { MessageChannel, OutboundMessage } from './channels.js';

const p256dh = () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return ecdh.getPublicKey('base64url');
};
const good = () => ({
  endpoint: 'https://fcm.googleapis.com/fcm/send/abc',
  keys: { p256dh: p256dh(), auth: randomBytes(16).toString('base64url') },
});

function problemPaths(input: unknown): string[] {
  try {
    checkSubscription(input);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(422);
    return ((err as AppError).errors ?? []).map((e) => e.path ?? '');
  }
}

describe('checkSubscription', () => {
  it('takes a browser subscription as toJSON() gives it', () => {
    const sub = good();
    expect(checkSubscription(sub)).toEqual({ endpoint: sub.endpoint, ...sub.keys });
  });

  it('names every problem at once', () => {
    expect(problemPaths(null)).toEqual(['/endpoint', '/keys/p256dh', '/keys/auth']);
    expect(problemPaths({ ...good(), endpoint: 'http://push.example/x' })).toEqual(['/endpoint']);
    expect(problemPaths({ ...good(), endpoint: 'javascript:alert(1)' })).toEqual(['/endpoint']);
    expect(problemPaths({ ...good(), endpoint: 'https://a:b@push.example/x' })).toEqual(['/endpoint']);
    expect(problemPaths({ ...good(), endpoint: 42 })).toEqual(['/endpoint']);
    // 65 bytes but not an uncompressed point (0x04 first), a compressed key, not base64url
    const notPoint = Buffer.alloc(65, 7).toString('base64url');
    expect(problemPaths({ ...good(), keys: { ...good().keys, p256dh: notPoint } })).toEqual(['/keys/p256dh']);
    const compressed = Buffer.alloc(33, 2).toString('base64url');
    expect(problemPaths({ ...good(), keys: { ...good().keys, p256dh: compressed } })).toEqual(['/keys/p256dh']);
    expect(problemPaths({ ...good(), keys: { ...good().keys, auth: 'not base64!' } })).toEqual(['/keys/auth']);
  });
});

describe('newOrderNotification', () => {
  const target = {
    endpoint: 'https://push.example/x',
    p256dh: '',
    auth: '',
    storeName: 'Sharma Kirana',
    currency: 'INR',
    number: 42,
    customerName: 'Asha',
    total: 123450,
    items: 3,
  };
  it('says the order number, store, customer, total and item count in the member’s language', () => {
    const en = newOrderNotification({ ...target, lang: 'en' }, 'o-1');
    expect(en).toEqual({
      title: 'New order #42 · Sharma Kirana',
      body: 'Asha · ₹1,234.50 · 3 items',
      url: '/dashboard/orders/o-1',
      tag: 'order-o-1',
      orderId: 'o-1',
      number: 42,
    });
    const hi = newOrderNotification({ ...target, lang: 'hi' }, 'o-1');
    expect(hi.title).toBe('नया ऑर्डर #42 · Sharma Kirana');
    expect(hi.body).toContain('₹1,234.50');
    // No language chosen yet: English.
    expect(newOrderNotification({ ...target, lang: null, items: 1 }, 'o-2').body).toBe('Asha · ₹1,234.50 · 1 item');
  });
});

describe('routedChannel', () => {
  it('sends push.* topics to the push channel and everything else to the other', async () => {
    const got: string[] = [];
    const channel = (name: string): MessageChannel => ({
      name,
      async send(m: OutboundMessage) {
        got.push(`${name}:${m.topic}`);
      },
    });
    const routed = routedChannel(channel('webpush'), channel('whatsapp'));
    const msg = (topic: string) => ({ id: '1', topic, recipient: 'r', text: '' });
    await routed.send(msg('push.order_placed'));
    await routed.send(msg('order.placed'));
    expect(got).toEqual(['webpush:push.order_placed', 'whatsapp:order.placed']);
    expect(routed.name).toBe('whatsapp+webpush');
  });
});

describe('orderEventsBetween', () => {
  const mark = (lastNumber: number, lastChange: string) => ({ lastNumber, lastChange });
  it('one event per look: new orders (with how many), else a change, else nothing', () => {
    const t1 = '2026-11-30 05:00:00.123456+00';
    const t2 = '2026-11-30 05:00:01.000001+00';
    expect(orderEventsBetween(mark(0, ''), mark(0, ''))).toEqual([]);
    expect(orderEventsBetween(mark(0, ''), mark(1, t1))).toEqual([{ type: 'order', number: 1, count: 1 }]);
    expect(orderEventsBetween(mark(4, t1), mark(7, t2))).toEqual([{ type: 'order', number: 7, count: 3 }]);
    expect(orderEventsBetween(mark(7, t1), mark(7, t2))).toEqual([{ type: 'changed' }]);
    expect(orderEventsBetween(mark(7, t2), mark(7, t2))).toEqual([]);
  });
});

describe('parseVapid', () => {
  it('both keys or neither; the subject is mailto: or https:', () => {
    expect(parseVapid({}, 'http://127.0.0.1:3000')).toEqual({
      publicKey: null,
      privateKey: null,
      subject: 'mailto:push@dukaan.invalid',
    });
    expect(parseVapid({}, 'https://shop.example').subject).toBe('https://shop.example');
    const keys = webpush.generateVAPIDKeys();
    const env = {
      VAPID_PUBLIC_KEY: keys.publicKey,
      VAPID_PRIVATE_KEY: keys.privateKey,
      VAPID_SUBJECT: 'mailto:me@x.in',
    };
    expect(parseVapid(env, '')).toEqual({ ...keys, subject: 'mailto:me@x.in' });
    expect(() => parseVapid({ ...env, VAPID_PUBLIC_KEY: 'abc' }, '')).toThrow(/65 and 32 bytes/);
    expect(() => parseVapid({ ...env, VAPID_PRIVATE_KEY: keys.publicKey }, '')).toThrow(/65 and 32 bytes/);
    expect(() => parseVapid({ VAPID_PUBLIC_KEY: 'a' }, '')).toThrow(/go together/);
    expect(() => parseVapid({ VAPID_SUBJECT: 'http://x' }, '')).toThrow(/mailto/);
  });
});
