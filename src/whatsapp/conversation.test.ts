import { describe, expect, it } from 'vitest';
import {
  confirmWithPending,
  languageOnStorePick,
  pendingAtConfirmText,
  storeNamed,
  WINDOW_SECONDS,
  type ChatState,
} from './conversation.js';
import { readCommand } from './parse.js';

const named = (text: string, chat: { storeId: string | null; idleSeconds: number | null }) =>
  storeNamed(text, readCommand(text, { choiceOpen: false }), chat);
const NEW_CHAT = { storeId: null, idleSeconds: null };
const IN_A_SHOP = { storeId: 'store-a', idleSeconds: 60 };
const A_DAY_LATER = { storeId: 'store-a', idleSeconds: WINDOW_SECONDS + 1 };

describe('storeNamed (which store a message on the shared number names)', () => {
  it('ORDER <slug> names a store at any time, in any case, and says it was asked for', () => {
    for (const chat of [NEW_CHAT, IN_A_SHOP, A_DAY_LATER]) {
      expect(named('ORDER demo', chat)).toEqual({ slug: 'demo', explicit: true });
      expect(named('order Sharma-Kirana', chat)).toEqual({ slug: 'sharma-kirana', explicit: true });
      expect(named('  Order   demo ', chat)).toEqual({ slug: 'demo', explicit: true });
    }
  });

  it('the slug alone names a store as the first message of a chat, or after the 24-hour window', () => {
    expect(named('demo', NEW_CHAT)).toEqual({ slug: 'demo', explicit: false });
    expect(named('Sharma-Kirana', NEW_CHAT)).toEqual({ slug: 'sharma-kirana', explicit: false });
    expect(named('paneer', A_DAY_LATER)).toEqual({ slug: 'paneer', explicit: false });
  });

  it('inside a conversation a lone word is an item, never another store', () => {
    for (const word of ['paneer', 'maggi', 'demo', 'confirm', 'clear']) expect(named(word, IN_A_SHOP)).toBeNull();
  });

  it('what cannot be a slug names nothing', () => {
    for (const text of ['hi', '2 kg atta', 'नमस्ते', 'a', '-demo', 'x'.repeat(41), 'mera order'])
      expect(named(text, NEW_CHAT)).toBeNull();
  });
});

describe('languageOnStorePick', () => {
  const demoEn = { id: 'demo', defaultLanguage: 'en' };
  const shopHi = { id: 'shop-hi', defaultLanguage: 'hi' };
  it('Hindi the customer wrote before naming the shop stays: "नमस्ते", then the pre-filled "ORDER demo"', () => {
    expect(languageOnStorePick('ORDER demo', { storeId: null, lang: 'hi' }, demoEn)).toBe('hi');
  });
  it('Devanagari in the message itself is Hindi', () => {
    expect(languageOnStorePick('ORDER demo दो', { storeId: null, lang: 'en' }, demoEn)).toBe('hi');
  });
  it("a new chat takes the store's default language", () => {
    expect(languageOnStorePick('ORDER demo', { storeId: null, lang: 'en' }, demoEn)).toBe('en');
    expect(languageOnStorePick('ORDER shop-hi', { storeId: null, lang: 'en' }, shopHi)).toBe('hi');
  });
  it("the same store keeps the chat's language; another store brings its own default", () => {
    expect(languageOnStorePick('ORDER demo', { storeId: 'demo', lang: 'hi' }, demoEn)).toBe('hi');
    expect(languageOnStorePick('ORDER demo', { storeId: 'shop-hi', lang: 'hi' }, demoEn)).toBe('en');
  });
});

describe('CONFIRM while a "which one?" question is open', () => {
  const butter = {
    word: 'amul butter',
    quantity: 1,
    options: [
      { variantId: 'v100', label: 'Amul Butter (100 g)', price: 5600 },
      { variantId: 'v500', label: 'Amul Butter (500 g)', price: 27500 },
    ],
  };
  const open: ChatState = { pending: [butter, { ...butter, word: 'dal' }], billTotal: 2800 };

  it('the first CONFIRM is answered with the question again, the items kept', () => {
    expect(confirmWithPending(open)).toEqual({ ask: true, state: { ...open, pendingWarned: true } });
  });
  it('a second CONFIRM, once told, orders without them and closes the question', () => {
    const told = confirmWithPending(open).state;
    const second = confirmWithPending(told);
    expect(second.ask).toBe(false);
    expect(second.state.pending).toEqual([]);
    expect(second.state.pendingWarned).toBeUndefined();
    expect(second.state.billTotal).toBe(2800);
  });
  it('nothing open: CONFIRM goes on as before', () => {
    expect(confirmWithPending({ billTotal: 1 })).toEqual({ ask: false, state: { billTotal: 1 } });
    expect(confirmWithPending({ pending: [] })).toEqual({ ask: false, state: { pending: [] } });
  });
  it('says what is not in the bill, asks which one, and how to order without it (English and Hindi)', () => {
    const en = pendingAtConfirmText('en', 'INR', open.pending!);
    expect(en).toContain('amul butter, dal is not in your bill yet');
    expect(en).toContain('Which one do you mean for "amul butter"?');
    expect(en).toContain('2) Amul Butter (500 g) — ₹275');
    expect(en).toContain('reply CONFIRM again to order without it');
    const hi = pendingAtConfirmText('hi', 'INR', [butter]);
    expect(hi).toContain('amul butter अभी आपके बिल में नहीं है');
    expect(hi).toContain('फिर से CONFIRM');
  });
});
