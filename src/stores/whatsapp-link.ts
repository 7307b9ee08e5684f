/**
 * The storefront's "Order on WhatsApp" link (issue 15, item 2): `https://wa.me/<number>?text=ORDER <slug>`. The
 * number is the store's own connected WhatsApp Business number, else the platform's shared number; the text names
 * the store, so the bot on a shared number knows whose customer writes. No link when the bot cannot answer.
 */
import type { Config } from '../config.js';
import type { StoreRow } from './stores.repo.js';

/** Whether this server answers WhatsApp chats, and the shared number's digits (WHATSAPP_NUMBER). */
export interface WhatsAppOrdering {
  enabled: boolean;
  sharedNumber: string | null;
}

export const NO_WHATSAPP_ORDERING: WhatsAppOrdering = { enabled: false, sharedNumber: null };

export function whatsappOrdering(
  config: Pick<Config, 'whatsapp' | 'whatsappAppSecret' | 'whatsappNumber'>,
): WhatsAppOrdering {
  return {
    enabled: config.whatsapp !== null && config.whatsappAppSecret !== null,
    sharedNumber: config.whatsappNumber,
  };
}

/** The message that opens the chat: the store code the bot reads on a shared number ("ORDER demo"). */
export const storeCode = (slug: string): string => `ORDER ${slug}`;

export function orderOnWhatsappUrl(
  row: Pick<StoreRow, 'slug' | 'whatsapp' | 'whatsapp_phone_number_id' | 'whatsapp_bot'>,
  ordering: WhatsAppOrdering,
): string | null {
  if (!ordering.enabled || !row.whatsapp_bot) return null;
  const own = row.whatsapp_phone_number_id && row.whatsapp ? row.whatsapp.replace(/\D/g, '') : null;
  const number = own || ordering.sharedNumber;
  if (!number) return null;
  return `https://wa.me/${number}?text=${encodeURIComponent(storeCode(row.slug))}`;
}
