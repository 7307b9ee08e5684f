/**
 * The conversation's pure parts: the chat state, the bill as a message, the choices it offers and how a number
 * typed back resolves against them. No database here (src/whatsapp/whatsapp.service.ts calls these).
 */
import { money, translator, type Lang } from '../i18n/index.js';
import type { CartView } from '../cart/cart.schema.js';
import type { CloudMessage } from './cloud-api.js';
import type { AskedSize } from './parse.js';

/** One thing the customer may pick by number. */
export interface Option {
  variantId: string;
  label: string;
  price: number;
}

/** What the bot remembers between messages (stored as JSON on the chat). */
export interface ChatState {
  /** items that matched several products: asked one at a time, first first */
  pending?: { word: string; quantity: number; options: Option[] }[];
  /** replacement offers per bill line number (1-based), as shown in the last bill */
  replacements?: Record<string, Option[]>;
  /** what the next free-text message answers */
  awaiting?: 'address' | 'payment';
  /** the total of the last bill shown in the chat: checkout's `expectedTotal`, so no order is placed at another */
  billTotal?: number;
  /** that bill's delivery fee: a total that changed by the fee alone (the address's area) is said so */
  billDeliveryFee?: number;
  /** the text of a map pin sent for the delivery address, waiting for what it lacks (name, PIN code) */
  pinned?: string;
  /** CONFIRM came while `pending` was open and the customer was told those items are not in the bill */
  pendingWarned?: boolean;
}

/** WhatsApp limits (Cloud API): reply button title ≤ 20, list row title ≤ 24, body text ≤ 1024 (interactive). */
const BUTTON_TITLE = 20;
const ROW_TITLE = 24;
const INTERACTIVE_BODY = 1024;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function textMessage(body: string): CloudMessage {
  return { type: 'text', text: { body: cut(body, 4096), preview_url: false } };
}

/** An image Meta fetches from `link` (a public https URL of a JPEG or PNG), with a short caption. */
export function imageMessage(link: string, caption: string): CloudMessage {
  return { type: 'image', image: { link, caption: cut(caption, INTERACTIVE_BODY) } };
}

/** Reply buttons (at most 3) under a body; a body too long for an interactive message goes as plain text. */
export function buttonsMessage(body: string, buttons: { id: string; title: string }[]): CloudMessage {
  if (body.length > INTERACTIVE_BODY || buttons.length === 0) return textMessage(body);
  return {
    type: 'interactive',
    interactive: {
      type: 'button',
      body: { text: body },
      action: {
        buttons: buttons
          .slice(0, 3)
          .map((b) => ({ type: 'reply', reply: { id: b.id, title: cut(b.title, BUTTON_TITLE) } })),
      },
    },
  };
}

export function listMessage(
  body: string,
  button: string,
  section: string,
  rows: { id: string; title: string }[],
): CloudMessage {
  if (rows.length === 0 || body.length > INTERACTIVE_BODY) return textMessage(body);
  return {
    type: 'interactive',
    interactive: {
      type: 'list',
      body: { text: body },
      action: {
        button: cut(button, BUTTON_TITLE),
        sections: [
          {
            title: cut(section, ROW_TITLE),
            rows: rows.slice(0, 10).map((r) => ({ id: r.id, title: cut(r.title, ROW_TITLE) })),
          },
        ],
      },
    },
  };
}

/** Product name with its variant ("Aashirvaad Atta (5 kg)"); the default variant adds nothing. */
export function itemLabel(name: string, variantName: string): string {
  return variantName && variantName !== 'Default' ? `${name} (${variantName})` : name;
}

/** Words the customer typed, safe to show back to them: letters, digits and spaces only, short. */
export function safeWords(words: readonly string[]): string {
  return words
    .map((w) =>
      w
        .replace(/[^\p{L}\p{M}\p{N} ]/gu, '')
        .trim()
        .slice(0, 30),
    )
    .filter(Boolean)
    .slice(0, 5)
    .join(', ');
}

/** A line that cannot be sold at all now: out of stock (also "insufficient" with none left) or unavailable. */
function isSoldOut(line: CartView['lines'][number]): boolean {
  return line.error?.code === 'out_of_stock' || (line.error?.code === 'insufficient_stock' && !line.error.available);
}

/** The bill as the shop owner would write it, with out-of-stock lines and their numbered replacements. */
export function billText(
  lang: Lang,
  storeName: string,
  cart: CartView,
  replacements: Readonly<Record<string, Option[]>>,
): string {
  const tr = translator(lang);
  const m = (minor: number) => money(lang, minor, cart.currency, { trimZeroFraction: true });
  const out: string[] = [tr('whatsapp.billTitle', { store: storeName })];
  cart.lines.forEach((line, i) => {
    const n = i + 1;
    const name = itemLabel(line.name, line.variantName);
    if (isSoldOut(line)) out.push(tr('whatsapp.lineOutOfStock', { n, name }));
    else if (line.error?.code === 'unavailable') out.push(tr('whatsapp.lineUnavailable', { n, name }));
    else if (line.error?.code === 'insufficient_stock')
      out.push(tr('whatsapp.lineShort', { n, name, quantity: line.quantity, available: line.error.available ?? 0 }));
    else out.push(tr('whatsapp.billLine', { n, name, quantity: line.quantity, total: m(line.lineTotal) }));
    const offers = replacements[String(n)];
    if (offers?.length) {
      out.push(tr('whatsapp.replacementsTitle'));
      for (const [k, o] of offers.entries())
        out.push(tr('whatsapp.replacementOption', { k: k + 1, name: o.label, price: m(o.price) }));
      out.push(tr('whatsapp.replaceHint', { n }));
    }
  });
  out.push('');
  out.push(tr('whatsapp.subtotal', { amount: m(cart.subtotal) }));
  if (cart.discount > 0) out.push(tr('whatsapp.discount', { code: cart.couponCode ?? '', amount: m(cart.discount) }));
  out.push(
    cart.deliveryFee > 0 ? tr('whatsapp.delivery', { amount: m(cart.deliveryFee) }) : tr('whatsapp.deliveryFree'),
  );
  out.push(tr('whatsapp.total', { amount: m(cart.total) }));
  return out.join('\n');
}

/** The numbered question for the first pending ambiguous item. */
export function choiceText(lang: Lang, currency: string, pending: NonNullable<ChatState['pending']>[number]): string {
  const tr = translator(lang);
  const options = pending.options
    .map((o, k) =>
      tr('whatsapp.choiceOption', {
        k: k + 1,
        name: o.label,
        price: money(lang, o.price, currency, { trimZeroFraction: true }),
      }),
    )
    .join('\n');
  return tr('whatsapp.ambiguous', { word: safeWords([pending.word]), options });
}

/**
 * CONFIRM while a "which one?" question is open: those items are not in the bill. The first time, the customer is
 * told so and asked again (`ask`); a second CONFIRM orders without them — they were told — and closes the question.
 */
export function confirmWithPending(state: ChatState): { ask: boolean; state: ChatState } {
  if (!state.pending?.length) return { ask: false, state };
  if (!state.pendingWarned) return { ask: true, state: { ...state, pendingWarned: true } };
  return { ask: false, state: { ...state, pending: [], pendingWarned: undefined } };
}

/** The answer to CONFIRM with items still to pick: what is not in the bill, the question, and the way out. */
export function pendingAtConfirmText(lang: Lang, currency: string, pending: NonNullable<ChatState['pending']>): string {
  const tr = translator(lang);
  return [
    tr('whatsapp.pendingNotAdded', { words: safeWords(pending.map((p) => p.word)) }),
    ...(pending[0] ? [choiceText(lang, currency, pending[0])] : []),
    tr('whatsapp.pendingOrConfirm'),
  ].join('\n\n');
}

export interface Candidate {
  variantId: string;
  label: string;
  price: number;
  /** the weight/volume the product or variant name states */
  size: AskedSize | null;
  inStock: boolean;
}

/**
 * Which variant an item means, and how many: by the asked size when given (an exact size, else a smaller one that
 * divides it: "2 kg" of a 1 kg pack is 2 packs), else the only candidate. Several left → null (ask back).
 */
export function pickCandidate(
  candidates: readonly Candidate[],
  size: AskedSize | null,
  quantity: number,
): { variantId: string; quantity: number } | null {
  if (candidates.length === 0) return null;
  if (size) {
    const sameUnit = candidates.filter((c) => c.size?.unit === size.unit);
    const exact = sameUnit.filter((c) => c.size!.amount === size.amount);
    const pick = (list: readonly Candidate[]) => list.find((c) => c.inStock) ?? list[0]!;
    if (exact.length === 1 || (exact.length > 1 && new Set(exact.map((c) => c.label)).size === 1))
      return { variantId: pick(exact).variantId, quantity };
    if (exact.length > 1) return null;
    const divisors = sameUnit
      .filter((c) => c.size!.amount > 0 && size.amount % c.size!.amount === 0)
      .sort((a, b) => b.size!.amount - a.size!.amount);
    if (divisors.length && (divisors.length === 1 || divisors[0]!.size!.amount !== divisors[1]!.size!.amount))
      return { variantId: divisors[0]!.variantId, quantity: quantity * (size.amount / divisors[0]!.size!.amount) };
    if (candidates.length === 1) return { variantId: candidates[0]!.variantId, quantity };
    return null;
  }
  if (candidates.length === 1) return { variantId: candidates[0]!.variantId, quantity };
  return null;
}

/** The customer-service window (24 hours): after it a chat starts afresh. */
export const WINDOW_SECONDS = 24 * 60 * 60;

/**
 * The store a message on the shared number names: `ORDER <slug>` (the storefront's button) at any time; the slug
 * alone only as a chat's first message — no store yet, or the last message is older than the window. Later a
 * lone word is an item: a customer of one shop typing "paneer" must not be taken to a shop whose slug is
 * `paneer`. `explicit`: the customer asked for a shop (`ORDER …`), so an unknown one is said to be unknown.
 */
export function storeNamed(
  text: string,
  command: { kind: string; slug?: string } | null,
  chat: { storeId: string | null; idleSeconds: number | null },
): { slug: string; explicit: boolean } | null {
  if (command?.kind === 'store' && command.slug) return { slug: command.slug, explicit: true };
  const word = text.trim();
  const firstMessage = chat.storeId === null || chat.idleSeconds === null || chat.idleSeconds > WINDOW_SECONDS;
  return firstMessage && /^[a-z0-9][a-z0-9-]{2,39}$/i.test(word) ? { slug: word.toLowerCase(), explicit: false } : null;
}

/**
 * The reply language once a message picks a store on the shared number: Hindi the customer wrote (in this message,
 * or before naming a shop: "नमस्ते" then the storefront's pre-filled "ORDER demo") stays; the same store keeps the
 * chat's language; otherwise the store's default language.
 */
export function languageOnStorePick(
  text: string,
  chat: { storeId: string | null; lang: string },
  store: { id: string; defaultLanguage: string },
): string {
  if (/[\u0900-\u097f]/.test(text)) return 'hi';
  if (chat.storeId === store.id) return chat.lang;
  if (chat.storeId === null && chat.lang === 'hi') return 'hi';
  return store.defaultLanguage;
}

/** The status words of an order, as a message key per status (written out so the catalog test sees each key). */
export const STATUS_KEYS: Readonly<Record<string, string>> = {
  placed: 'whatsapp.statusPlaced',
  accepted: 'whatsapp.statusAccepted',
  shipped: 'whatsapp.statusShipped',
  delivered: 'whatsapp.statusDelivered',
  rejected: 'whatsapp.statusRejected',
  cancelled: 'whatsapp.statusCancelled',
};
