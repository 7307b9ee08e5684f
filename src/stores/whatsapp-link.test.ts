import { describe, expect, it } from 'vitest';
import { orderOnWhatsappUrl, whatsappOrdering } from './whatsapp-link.js';

const store = { slug: 'sharma-kirana', whatsapp: '+919876543210', whatsapp_phone_number_id: null, whatsapp_bot: true };
const on = { enabled: true, sharedNumber: '15550783881' };

describe('the "Order on WhatsApp" link', () => {
  it('goes to the shared number with the store code as the first message', () => {
    expect(orderOnWhatsappUrl(store, on)).toBe('https://wa.me/15550783881?text=ORDER%20sharma-kirana');
  });
  it("goes to the store's own number when it connected one", () => {
    expect(orderOnWhatsappUrl({ ...store, whatsapp_phone_number_id: '2000001' }, on)).toBe(
      'https://wa.me/919876543210?text=ORDER%20sharma-kirana',
    );
  });
  it('is absent when the bot is off, the server answers no chats, or there is no number', () => {
    expect(orderOnWhatsappUrl({ ...store, whatsapp_bot: false }, on)).toBeNull();
    expect(orderOnWhatsappUrl(store, { ...on, enabled: false })).toBeNull();
    expect(orderOnWhatsappUrl(store, { ...on, sharedNumber: null })).toBeNull();
  });
  it('is enabled by the Cloud API and the webhook secret together', () => {
    const api = { apiUrl: 'https://graph.facebook.com/v21.0', token: 't', phoneNumberId: '1' };
    expect(whatsappOrdering({ whatsapp: api, whatsappAppSecret: 's', whatsappNumber: '1555' })).toEqual({
      enabled: true,
      sharedNumber: '1555',
    });
    expect(whatsappOrdering({ whatsapp: api, whatsappAppSecret: null, whatsappNumber: '1555' }).enabled).toBe(false);
  });
});
