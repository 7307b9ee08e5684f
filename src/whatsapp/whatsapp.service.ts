/**
 * The bot: one inbound message in, the shop's answer out. Decides what the message means against the chat state,
 * the live catalog (the storefront's search) and the cart (the storefront's cart), changes the cart, places the
 * order through the same checkout, attaches a screenshot through the same proof checks, and writes the reply to
 * the outbox in the transaction that marks the message done.
 *
 * Crash safety: what a message changes is decided once and saved on the inbox row (`plan`) before anything is
 * changed; a retry applies the same plan (absolute quantities, so twice is once), checkout is idempotent on the
 * message id, a proof already taken answers "received". The reply and the "done" mark commit together.
 */
import type { Config } from '../config.js';
import { inTx, type Db } from '../db/db.js';
import { createCart, getCart, removeCartLines, setCartLine } from '../cart/cart.service.js';
import type { CartView } from '../cart/cart.schema.js';
import { searchCatalog } from '../catalog/products.service.js';
import { checkout } from '../checkout/checkout.service.js';
import { money, translator, type Lang } from '../i18n/index.js';
import { enqueueMessage } from '../notify/outbox.js';
import { findOrderById } from '../orders/orders.repo.js';
import { orderView } from '../orders/orders.service.js';
import { MAX_PROOF_BYTES, submitPaymentProof } from '../payments/proofs.service.js';
import { AppError } from '../shared/errors.js';
import { getStoreRow, storeUrl, type StoreRow } from '../stores/stores.service.js';
import { downloadMedia, MediaError, type CloudMessage } from './cloud-api.js';
import { isSilent, pictureId, readInbound, type InboundMessage } from './inbound.js';
import {
  billText,
  buttonsMessage,
  choiceText,
  confirmWithPending,
  imageMessage,
  itemLabel,
  languageOnStorePick,
  listMessage,
  pendingAtConfirmText,
  pickCandidate,
  safeWords,
  STATUS_KEYS,
  storeNamed,
  textMessage,
  WINDOW_SECONDS,
  type Candidate,
  type ChatState,
  type Option,
} from './conversation.js';
import {
  languageOf,
  parseAddress,
  pinLacks,
  pinnedAddress,
  readCommand,
  sizeOf,
  type Command,
  type ItemLine,
  type TypedAddress,
} from './parse.js';
import * as repo from './whatsapp.repo.js';

/** Attempts at one inbound message before it is marked `failed` (src/whatsapp/inbox.ts retries it). */
export const INBOX_MAX_ATTEMPTS = 5;

export type BotConfig = Pick<Config, 'publicUrl' | 'dataDir' | 'whatsapp'> & {
  /** inbound messages per phone per minute; more are dropped unanswered */
  whatsappRatePerMinute: number;
};

type Reply =
  | { kind: 'none' }
  | { kind: 'whichShop' }
  | { kind: 'unknownShop' }
  | { kind: 'greet' }
  | { kind: 'category'; slug: string }
  | { kind: 'bill'; unknown: string[] }
  | { kind: 'text'; key: string; values?: Record<string, string | number> }
  | { kind: 'askAddress' }
  | { kind: 'askPayment' }
  | { kind: 'pendingAtConfirm' }
  | { kind: 'checkout'; method: 'cod' | 'upi' }
  | { kind: 'proof'; mediaId: string }
  | { kind: 'status' };

interface Plan {
  storeId: string | null;
  cartId: string | null;
  newCart: boolean;
  lang: Lang;
  state: ChatState;
  /** absolute quantities (0 removes) */
  ops: { variantId: string; quantity: number }[];
  reply: Reply;
}

interface Ctx {
  db: Db;
  config: BotConfig;
  row: repo.InboxRow;
  msg: InboundMessage;
}

/** This worker's claim on an inbox row is no longer current: nothing it wrote is kept (no second reply). */
export class StaleClaimError extends Error {
  constructor(inboxId: string) {
    super(`inbox row ${inboxId} was claimed again by another worker`);
    this.name = 'StaleClaimError';
  }
}

/** Processes one claimed inbox row to the end (reply in the outbox, row done). Throws to be retried later. */
export async function handleInboxRow(db: Db, config: BotConfig, row: repo.InboxRow): Promise<'done' | 'skipped'> {
  const msg = readInbound(row.message);
  const ctx: Ctx = { db, config, row, msg };
  if (row.plan === null && isSilent(msg)) {
    await repo.finishInbox(db, row.id, row.attempts, 'skipped', `${msg.type}: nothing to answer`);
    return 'skipped';
  }
  if (row.plan === null && (await repo.rankInMinute(db, row.id)) > config.whatsappRatePerMinute) {
    await repo.finishInbox(db, row.id, row.attempts, 'skipped', 'rate limited');
    return 'skipped';
  }
  let plan = row.plan as Plan | null;
  if (!plan) {
    plan = await decide(ctx);
    if (plan.reply.kind === 'none') {
      await repo.finishInbox(db, row.id, row.attempts, 'skipped', 'bot off');
      return 'skipped';
    }
    await repo.savePlan(db, row.id, row.attempts, plan);
  }
  const store = plan.storeId ? await getStoreRow(db, plan.storeId) : null;
  // Each change answers the whole cart: the last answer is the cart the bill shows, without reading it again. The
  // removals (a "clear" empties the cart) go in one statement; each put is one statement of its own.
  let changed: CartView | null = null;
  const apply = async (change: () => Promise<CartView>) => {
    try {
      changed = await change();
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 404) throw err; // a product gone since: the bill shows the rest
    }
  };
  const removals = plan.ops.filter((op) => op.quantity === 0).map((op) => op.variantId);
  if (removals.length) await apply(() => removeCartLines(db, store!.slug, plan.cartId!, removals));
  for (const op of plan.ops)
    if (op.quantity > 0) await apply(() => setCartLine(db, store!.slug, plan.cartId!, op.variantId, op.quantity));
  const out = await render(ctx, plan, store, changed);
  await inTx(db, async (tx) => {
    if (plan.storeId && plan.cartId && plan.newCart) await repo.setChatCart(tx, plan.storeId, row.sender, plan.cartId);
    if (plan.storeId && out.orderId) await repo.setLastOrder(tx, plan.storeId, row.sender, out.orderId);
    await repo.saveChat(tx, row.phone_number_id, row.sender, {
      storeId: plan.storeId,
      lang: plan.lang,
      state: out.state,
    });
    for (const [i, message] of out.messages.entries()) {
      await enqueueMessage(tx, {
        topic: 'whatsapp_reply',
        recipient: `+${row.sender}`,
        text: plainText(message),
        costClass: 'service', // an answer inside the conversation the customer started
        data: { whatsapp: { phoneNumberId: row.phone_number_id, message }, inbox: row.message_id, part: i },
      });
    }
    // Our claim may have lapsed (the lease ran out and another worker took the row): its reply is the one sent.
    if (!(await repo.finishInbox(tx, row.id, row.attempts, 'done'))) throw new StaleClaimError(row.id);
  });
  return 'done';
}

function plainText(m: CloudMessage): string {
  if (m.type === 'text') return m.text.body;
  if (m.type === 'image') return m.image.caption ?? m.image.link;
  return m.interactive.body.text;
}

// ---------- deciding ----------

/** What the message is: typed text, a tapped button or list row (by its id), or a picture (pictureId). */
function commandOf(
  msg: InboundMessage,
  state: ChatState,
):
  | Command
  | { kind: 'image'; mediaId: string }
  | { kind: 'category'; slug: string }
  | { kind: 'address'; text: string }
  | { kind: 'catalogOrder'; items: { retailerId: string; quantity: number }[] }
  | { kind: 'location'; text: string }
  | null {
  const picture = pictureId(msg);
  if (picture) return { kind: 'image', mediaId: picture };
  if (msg.type === 'order' && msg.order) return { kind: 'catalogOrder', items: msg.order.items };
  // A map pin answers the address question (its place name and address, either may be empty); otherwise help.
  if (msg.type === 'location' && msg.location && state.awaiting === 'address')
    return { kind: 'location', text: [msg.location.name, msg.location.address].filter(Boolean).join(', ') };
  const id = msg.interactive?.button_reply?.id ?? msg.interactive?.list_reply?.id ?? msg.button?.payload;
  if (id) {
    if (id === 'confirm') return { kind: 'confirm' };
    if (id === 'menu') return { kind: 'greet' };
    if (id === 'pay:cod') return { kind: 'pay', method: 'cod' };
    if (id === 'pay:upi') return { kind: 'pay', method: 'upi' };
    if (id.startsWith('cat:')) return { kind: 'category', slug: id.slice(4, 200) };
    if (id.startsWith('pick:')) return { kind: 'choose', choice: Number(id.slice(5)) || 0 };
    return null;
  }
  const text = msg.text?.body;
  if (typeof text !== 'string' || !text.trim()) return null;
  const choiceOpen = Boolean(state.pending?.length) || Object.keys(state.replacements ?? {}).length === 1;
  const command = readCommand(text.slice(0, 2000), { choiceOpen });
  if (state.awaiting === 'address' && command.kind === 'items') return { kind: 'address', text: text.slice(0, 500) };
  return command;
}

async function decide(ctx: Ctx): Promise<Plan> {
  const { db, row, msg } = ctx;
  const own = await repo.storeByPhoneNumberId(db, row.phone_number_id);
  const chat = await repo.lockChat(db, row.phone_number_id, row.sender, own?.default_language ?? 'en');
  const text = msg.text?.body ?? '';
  let lang = languageOf(text, chat.lang);
  let state = (chat.state ?? {}) as ChatState;
  let command = commandOf(msg, state);

  let store: repo.BotStoreRow | null = own;
  let unknownShop = false;
  if (!store) {
    // A shared number: the chat's store, or the one this message names ("ORDER demo", or the slug alone as the
    // chat's first message: storeNamed).
    const pick = storeNamed(text, command, { storeId: chat.store_id, idleSeconds: chat.idle_seconds });
    const named = pick ? await repo.storeBySlug(db, pick.slug) : null;
    if (named) {
      store = named;
      state = {};
      command = { kind: 'greet' };
      lang = languageOnStorePick(
        text,
        { storeId: chat.store_id, lang: chat.lang },
        { id: named.id, defaultLanguage: named.default_language },
      );
    } else {
      unknownShop = Boolean(pick?.explicit);
      if (chat.store_id) store = await repo.storeById(db, chat.store_id);
    }
  }
  const base = { lang, state, ops: [] as Plan['ops'], newCart: false };
  if (store && !store.whatsapp_bot) return { ...base, storeId: store.id, cartId: null, reply: { kind: 'none' } };
  // "ORDER <a slug no shop has>": said so, and the chat stays with its shop (if it has one).
  if (unknownShop) return { ...base, storeId: store?.id ?? null, cartId: null, reply: { kind: 'unknownShop' } };
  if (!store) return { ...base, storeId: null, cartId: null, reply: { kind: 'whichShop' } };

  // The chat's cart: a new one when there is none, it became an order, or the 24-hour window passed.
  const found = await repo.chatCart(db, store.id, row.sender);
  const fresh = !found || Boolean(found.order_id) || found.idle_seconds > WINDOW_SECONDS;
  // A new cart's view comes with it: no second statement to read it back.
  const cart = fresh ? await createCart(db, store.slug) : await getCart(db, store.slug, found.cart_id);
  const plan: Plan = {
    ...base,
    storeId: store.id,
    cartId: cart.id,
    newCart: fresh,
    reply: { kind: 'bill', unknown: [] },
  };
  if (command === null) return { ...plan, reply: { kind: 'text', key: 'whatsapp.help' } };
  return applyCommand(ctx, plan, store, cart, command);
}

async function applyCommand(
  ctx: Ctx,
  plan: Plan,
  store: repo.BotStoreRow,
  cart: CartView,
  command: NonNullable<ReturnType<typeof commandOf>>,
): Promise<Plan> {
  const state: ChatState = { ...plan.state };
  const quantities = new Map(cart.lines.map((l) => [l.variantId, l.quantity]));
  const ops = new Map<string, number>();
  const add = (variantId: string, n: number) => {
    const now = ops.get(variantId) ?? quantities.get(variantId) ?? 0;
    ops.set(variantId, Math.min(999, now + n));
  };
  const done = (reply: Reply, next: ChatState = state): Plan => ({
    ...plan,
    state: next,
    ops: [...ops].map(([variantId, quantity]) => ({ variantId, quantity })),
    reply,
  });
  const lineAt = (n: number) => cart.lines[n - 1];

  switch (command.kind) {
    case 'greet':
      return done({ kind: 'greet' }, {});
    case 'help':
      return done({ kind: 'text', key: 'whatsapp.help' });
    case 'store':
      return done({ kind: 'greet' }, {});
    case 'category':
      return done({ kind: 'category', slug: command.slug });
    case 'status':
      return done({ kind: 'status' });
    case 'image':
      return done({ kind: 'proof', mediaId: command.mediaId });
    case 'clear':
      for (const l of cart.lines) ops.set(l.variantId, 0);
      return done({ kind: 'text', key: 'whatsapp.cleared' }, {});
    case 'setQuantity': {
      const line = lineAt(command.line);
      if (!line) return done({ kind: 'text', key: 'whatsapp.badLine', values: { n: command.line } });
      ops.set(line.variantId, Math.min(999, command.quantity));
      return done({ kind: 'bill', unknown: [] }, { ...state, awaiting: undefined });
    }
    case 'remove': {
      const line =
        command.line !== null
          ? lineAt(command.line)
          : cart.lines.find((l) => `${l.name} ${l.variantName}`.toLowerCase().includes(command.name!.toLowerCase()));
      if (!line) return done({ kind: 'text', key: 'whatsapp.badLine', values: { n: command.line ?? 0 } });
      ops.set(line.variantId, 0);
      return done({ kind: 'bill', unknown: [] }, { ...state, awaiting: undefined });
    }
    case 'replace': {
      const line = lineAt(command.line);
      const offer = state.replacements?.[String(command.line)]?.[command.choice - 1];
      if (!line || !offer) return done({ kind: 'text', key: 'whatsapp.badChoice', values: { n: command.choice } });
      ops.set(line.variantId, 0);
      add(offer.variantId, line.quantity);
      return done({ kind: 'bill', unknown: [] }, { ...state, replacements: {} });
    }
    case 'choose': {
      const pending = state.pending?.[0];
      if (pending) {
        const option = pending.options[command.choice - 1];
        if (!option) return done({ kind: 'text', key: 'whatsapp.badChoice', values: { n: command.choice } });
        add(option.variantId, pending.quantity);
        return done(
          { kind: 'bill', unknown: [] },
          { ...state, pending: state.pending!.slice(1), pendingWarned: undefined },
        );
      }
      const [lineNo] = Object.keys(state.replacements ?? {});
      if (lineNo)
        return applyCommand(ctx, plan, store, cart, { kind: 'replace', line: Number(lineNo), choice: command.choice });
      return done({ kind: 'text', key: 'whatsapp.help' });
    }
    case 'confirm': {
      // Items still to pick ("which one?") are not in the bill: said so and asked again before anything else.
      const settled = confirmWithPending(state);
      if (settled.ask) return done({ kind: 'pendingAtConfirm' }, settled.state);
      return confirmCart(ctx, store, cart, settled.state, done);
    }
    case 'location': {
      // A pin without text cannot be delivered to: the address is typed. With text, only what it lacks is asked.
      if (!command.text) return done({ kind: 'text', key: 'whatsapp.pinNoText' }, { ...state, pinned: undefined });
      const saved = await repo.savedCustomer(ctx.db, ctx.row.sender);
      return pinnedStep(ctx, store, { ...state, pinned: command.text }, '', saved?.name ?? null, done);
    }
    case 'address': {
      // A whole address typed is taken as typed (even after a pin); otherwise what the pin lacked.
      const typed = parseAddress(command.text);
      if (typed) return addressStep(ctx, store, state, typed, done);
      const pinned = state.pinned;
      if (!pinned) return done({ kind: 'text', key: 'whatsapp.badAddress' });
      const saved = await repo.savedCustomer(ctx.db, ctx.row.sender);
      return pinnedStep(ctx, store, { ...state, pinned }, command.text, saved?.name ?? null, done);
    }
    case 'pay':
      if (cart.lines.length === 0) return done({ kind: 'text', key: 'whatsapp.emptyCart' });
      if (!(await repo.savedCustomer(ctx.db, ctx.row.sender)))
        return done({ kind: 'askAddress' }, { ...state, awaiting: 'address' });
      return done({ kind: 'checkout', method: command.method }, { ...state, awaiting: undefined });
    case 'catalogOrder': {
      // A cart sent from the business's WhatsApp catalog: its products, by SKU (or variant id), added to the cart.
      const ids = await repo.variantsByRetailerId(
        ctx.db,
        store.id,
        command.items.map((i) => i.retailerId),
      );
      const unknown: string[] = [];
      for (const item of command.items) {
        const variantId = ids.get(item.retailerId);
        if (variantId) add(variantId, item.quantity);
        else unknown.push(item.retailerId);
      }
      return done({ kind: 'bill', unknown }, { ...state, awaiting: undefined });
    }
    case 'items': {
      if (command.lines.length === 0) return done({ kind: 'text', key: 'whatsapp.help' });
      const unknown: string[] = [];
      const pending = [...(state.pending ?? [])];
      for (const item of command.lines.slice(0, 30)) {
        const matched = await matchItem(ctx.db, store.id, item);
        if (matched.kind === 'unknown') unknown.push(item.name);
        else if (matched.kind === 'one') add(matched.variantId, matched.quantity);
        else pending.push({ word: item.name, quantity: item.quantity, options: matched.options });
      }
      return done({ kind: 'bill', unknown }, { ...state, pending, awaiting: undefined, pendingWarned: undefined });
    }
  }
}

async function confirmCart(
  ctx: Ctx,
  store: repo.BotStoreRow,
  cart: CartView,
  state: ChatState,
  done: (reply: Reply, next?: ChatState) => Plan,
): Promise<Plan> {
  if (cart.lines.length === 0) return done({ kind: 'text', key: 'whatsapp.emptyCart' }, state);
  if (!cart.canCheckout) return done({ kind: 'bill', unknown: [] }, state);
  if (!(await repo.savedCustomer(ctx.db, ctx.row.sender)))
    return done({ kind: 'askAddress' }, { ...state, awaiting: 'address', pinned: undefined });
  return paymentStep(ctx, store, state, done);
}

async function addressStep(
  ctx: Ctx,
  store: repo.BotStoreRow,
  state: ChatState,
  typed: TypedAddress,
  done: (reply: Reply, next?: ChatState) => Plan,
): Promise<Plan> {
  await repo.saveCustomer(ctx.db, ctx.row.sender, {
    name: typed.name,
    address: { line1: typed.line1, city: typed.city, pincode: typed.pincode },
  });
  return paymentStep(ctx, store, { ...state, awaiting: undefined, pinned: undefined }, done);
}

/** A map pin's text and what was typed after it: the address when complete, else the question for what lacks. */
function pinnedStep(
  ctx: Ctx,
  store: repo.BotStoreRow,
  state: ChatState & { pinned: string },
  typed: string,
  savedName: string | null,
  done: (reply: Reply, next?: ChatState) => Plan,
): Promise<Plan> | Plan {
  const address = pinnedAddress(state.pinned, typed, savedName);
  if (address) return addressStep(ctx, store, state, address, done);
  const lack = pinLacks(state.pinned, savedName);
  // A pin that names no place besides a PIN code is no address: the whole address is typed, as after a bare pin.
  if (lack === 'address') return done({ kind: 'text', key: 'whatsapp.pinNoText' }, { ...state, pinned: undefined });
  const key = { name: 'whatsapp.pinAskName', pincode: 'whatsapp.pinAskPin', namePincode: 'whatsapp.pinAskNamePin' }[
    lack
  ];
  return done({ kind: 'text', key }, state);
}

async function paymentStep(
  ctx: Ctx,
  store: repo.BotStoreRow,
  state: ChatState,
  done: (reply: Reply, next?: ChatState) => Plan,
): Promise<Plan> {
  const row = await getStoreRow(ctx.db, store.id);
  const upi = row.upi_vpa !== null;
  if (row.cod && upi) return done({ kind: 'askPayment' }, { ...state, awaiting: 'payment' });
  return done({ kind: 'checkout', method: upi ? 'upi' : 'cod' }, state);
}

type Match =
  | { kind: 'unknown' }
  | { kind: 'one'; variantId: string; quantity: number }
  | { kind: 'ask'; options: Option[] };

/** An item against the live catalog: the storefront's search, then the size and the closest matches. */
async function matchItem(db: Db, storeId: string, item: ItemLine): Promise<Match> {
  const hits = await searchCatalog(db, storeId, item.name, { limit: 6 });
  if (hits.length === 0 || hits[0]!.score < 0.35) return { kind: 'unknown' };
  const best = hits[0]!.score;
  const close = hits.filter((h) => h.score >= best - 0.05);
  const candidates: Candidate[] = close.flatMap((h) =>
    h.variants.map((v) => ({
      variantId: v.id,
      label: itemLabel(h.product.name, v.name),
      price: v.price,
      size: sizeOf(v.name) ?? sizeOf(h.product.name),
      inStock: v.stock === null || v.stock > 0,
    })),
  );
  const picked = pickCandidate(candidates, item.size, item.quantity);
  if (picked) return { kind: 'one', ...picked };
  return {
    kind: 'ask',
    options: candidates.slice(0, 5).map((c) => ({ variantId: c.variantId, label: c.label, price: c.price })),
  };
}

// ---------- answering ----------

interface Rendered {
  messages: CloudMessage[];
  state: ChatState;
  orderId?: string;
}

/** `changed`: the cart as this message's last line change answered it (null: nothing changed, read it). */
async function render(ctx: Ctx, plan: Plan, store: StoreRow | null, changed: CartView | null): Promise<Rendered> {
  const { db, config, row } = ctx;
  const lang = plan.lang;
  const tr = translator(lang);
  const text = (body: string): Rendered => ({ messages: [textMessage(body)], state: plan.state });
  const reply = plan.reply;
  if (reply.kind === 'unknownShop') return text(tr('whatsapp.unknownShop'));
  if (reply.kind === 'whichShop' || !store) return text(tr('whatsapp.whichShop'));
  const m = (minor: number) => money(lang, minor, store.currency, { trimZeroFraction: true });

  switch (reply.kind) {
    case 'none':
      return { messages: [], state: plan.state };
    case 'text':
      return text(tr(reply.key, reply.values));
    case 'greet': {
      const categories = await repo.categoriesForList(db, store.id);
      const body = tr('whatsapp.greeting', { store: store.name, url: storeUrl(config, store.slug) });
      return {
        messages: [
          listMessage(
            body,
            tr('whatsapp.categoriesButton'),
            tr('whatsapp.categoriesSection'),
            categories.map((c) => ({ id: `cat:${c.slug}`, title: c.name })),
          ),
        ],
        state: plan.state,
      };
    }
    case 'category': {
      const found = await repo.productsOfCategory(db, store.id, reply.slug);
      if (!found.category) return text(tr('whatsapp.help'));
      if (found.items.length === 0) return text(tr('whatsapp.categoryEmpty', { category: found.category }));
      const lines = found.items.map((i) => `• ${itemLabel(i.name, i.variant_name)} — ${m(i.price)}`).join('\n');
      return text(tr('whatsapp.categoryProducts', { category: found.category, lines }));
    }
    case 'askAddress':
      return text(tr('whatsapp.askAddress'));
    case 'pendingAtConfirm':
      return text(pendingAtConfirmText(lang, store.currency, plan.state.pending ?? []));
    case 'askPayment': {
      const cart = await billedCart(ctx, store, plan.cartId!);
      // Asked to pay a total other than the bill's: the new bill first, to be confirmed again.
      if (cart.total !== plan.state.billTotal) return totalChanged(ctx, plan, store, cart);
      return {
        messages: [
          buttonsMessage(tr('whatsapp.askPayment', { total: m(cart.total) }), [
            { id: 'pay:cod', title: tr('whatsapp.codButton') },
            { id: 'pay:upi', title: tr('whatsapp.upiButton') },
          ]),
        ],
        state: plan.state,
      };
    }
    case 'bill':
      return billReply(ctx, plan, store, reply.unknown, changed);
    case 'checkout':
      return placeOrder(ctx, plan, store, reply.method);
    case 'proof':
      return takeProof(ctx, plan, store, reply.mediaId);
    case 'status': {
      const found = await repo.chatCart(db, store.id, row.sender);
      if (!found?.last_order_id) return text(tr('whatsapp.noOrder', { store: store.name }));
      const order = await findOrderById(db, found.last_order_id);
      const view = await orderView(db, order, store, config);
      return text(
        tr('whatsapp.status', {
          number: view.number,
          status: tr(STATUS_KEYS[view.status] ?? 'whatsapp.statusPlaced'),
          total: m(view.total),
          tracking: view.trackingUrl,
        }),
      );
    }
  }
}

async function billReply(
  ctx: Ctx,
  plan: Plan,
  store: StoreRow,
  unknown: string[],
  changed: CartView | null,
  notice?: string,
): Promise<Rendered> {
  const lang = plan.lang;
  const tr = translator(lang);
  const cart = await billedCart(ctx, store, plan.cartId!, changed);
  // The replacements are the cart's own suggestions, the storefront's rule (same category, in stock, nearest price,
  // none already in the cart), read with the cart.
  const replacements: Record<string, Option[]> = {};
  for (const [i, line] of cart.lines.entries()) {
    if (line.suggestions.length)
      replacements[String(i + 1)] = line.suggestions.map((o) => ({
        variantId: o.variantId,
        label: itemLabel(o.name, o.variantName),
        price: o.price,
      }));
  }
  const state: ChatState = {
    ...plan.state,
    replacements,
    billTotal: cart.lines.length ? cart.total : undefined,
    billDeliveryFee: cart.lines.length ? cart.deliveryFee : undefined,
  };
  const parts: string[] = notice ? [notice] : [];
  if (cart.lines.length) parts.push(billText(lang, store.name, cart, replacements));
  if (unknown.length) parts.push(tr('whatsapp.notFound', { words: safeWords(unknown) }));
  const pending = state.pending?.[0];
  if (pending) parts.push(choiceText(lang, store.currency, pending));
  if (!cart.lines.length && !pending) parts.push(tr('whatsapp.emptyCart'));
  if (cart.lines.length && !pending) parts.push(tr(cart.canCheckout ? 'whatsapp.billHint' : 'whatsapp.billFixHint'));
  // The same cart on the storefront: the customer may go on there (photos, coupons, checkout on the web).
  if (cart.lines.length)
    parts.push(tr('whatsapp.cartLink', { url: `${storeUrl(ctx.config, store.slug)}/c/${plan.cartId}` }));
  const body = parts.join('\n\n');
  const message =
    cart.canCheckout && !pending
      ? buttonsMessage(body, [
          { id: 'confirm', title: tr('whatsapp.confirmButton') },
          { id: 'menu', title: tr('whatsapp.menuButton') },
        ])
      : textMessage(body);
  return { messages: [message], state };
}

/**
 * The bill as the chat's checkout will charge it: a delivery (the bot orders nothing else), and, once the customer's
 * address is saved, their PIN code's area fee — so the total shown is the total ordered (`expectedTotal`), never a
 * "the total has changed" that no CONFIRM can end. `changed` (the cart a change just answered) is used as it is when
 * it is priced that way already.
 */
async function billedCart(ctx: Ctx, store: StoreRow, cartId: string, changed?: CartView | null): Promise<CartView> {
  const saved = store.delivery_areas.length ? await repo.savedCustomer(ctx.db, ctx.row.sender) : null;
  const pincode = saved?.address.pincode.replace(/\s/g, '') || undefined;
  if (changed && !pincode && changed.fulfillment === 'delivery') return changed;
  return getCart(ctx.db, store.slug, cartId, { fulfillment: 'delivery', ...(pincode ? { pincode } : {}) });
}

/**
 * The cart's total is not the one of the last bill shown (a price or a coupon changed, or the cart was changed on
 * the website): the new bill, with the old and new totals, and the customer confirms again. Nothing is ordered.
 */
function totalChanged(ctx: Ctx, plan: Plan, store: StoreRow, cart: CartView | null): Promise<Rendered> {
  const seen = plan.state.billTotal;
  const tr = translator(plan.lang);
  const m = (minor: number) => money(plan.lang, minor, store.currency, { trimZeroFraction: true });
  const state: ChatState = { ...plan.state, awaiting: undefined };
  const seenFee = plan.state.billDeliveryFee;
  // The goods cost what the bill said and only the delivery differs: the address's delivery area set the fee.
  const feeOnly =
    cart !== null && seen !== undefined && seenFee !== undefined && cart.total - cart.deliveryFee === seen - seenFee;
  const notice =
    seen === undefined || cart === null
      ? tr('whatsapp.checkBill')
      : feeOnly
        ? tr('whatsapp.deliveryFeeChanged', { fee: m(cart.deliveryFee), before: m(seen), now: m(cart.total) })
        : tr('whatsapp.totalChanged', { before: m(seen), now: m(cart.total) });
  return billReply(ctx, { ...plan, state }, store, [], cart, notice);
}

async function placeOrder(ctx: Ctx, plan: Plan, store: StoreRow, method: 'cod' | 'upi'): Promise<Rendered> {
  const { db, config, row } = ctx;
  const lang = plan.lang;
  const tr = translator(lang);
  const m = (minor: number) => money(lang, minor, store.currency, { trimZeroFraction: true });
  const customer = await repo.savedCustomer(db, row.sender);
  if (!customer)
    return { messages: [textMessage(tr('whatsapp.askAddress'))], state: { ...plan.state, awaiting: 'address' } };
  // No bill shown in this chat yet (the cart filled on the website): the bill first, never an unseen total.
  if (plan.state.billTotal === undefined) return totalChanged(ctx, plan, store, null);
  try {
    const order = await checkout(
      db,
      config,
      store.slug,
      plan.cartId!,
      {
        customer: { name: customer.name, phone: `+${row.sender}`, address: { ...customer.address, line2: null } },
        paymentMethod: method === 'upi' && store.upi_vpa ? 'upi' : 'cod',
        fulfillment: 'delivery',
        expectedTotal: plan.state.billTotal,
      },
      `whatsapp:${row.message_id}`,
      { source: 'whatsapp', lang },
    );
    const values = { number: order.number, store: store.name, total: m(order.total), tracking: order.trackingUrl };
    if (!order.upiUrl) return { messages: [textMessage(tr('whatsapp.placed', values))], state: {}, orderId: order.id };
    // UPI: the link (tappable on the phone that pays) and the QR code as an image (for paying from another phone).
    const qr = `${config.publicUrl}/api/v1/orders/${order.trackingToken}/upi-qr.png`;
    return {
      messages: [
        textMessage(tr('whatsapp.placedUpi', { ...values, upi: order.upiUrl })),
        imageMessage(qr, tr('whatsapp.qrCaption', { number: order.number, total: m(order.total) })),
      ],
      state: {},
      orderId: order.id,
    };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === 'store_closed')
      return { messages: [textMessage(tr('whatsapp.storeClosed', { store: store.name }))], state: plan.state };
    if (err.code === 'below_minimum_order')
      return {
        messages: [textMessage(tr('whatsapp.belowMinimum', { amount: m(store.min_order ?? 0) }))],
        state: plan.state,
      };
    if (err.code === 'cart_has_errors') return billReply(ctx, plan, store, [], null);
    if (err.code === 'total_changed') return totalChanged(ctx, plan, store, await billedCart(ctx, store, plan.cartId!));
    // WhatsApp gave the number; checkout takes mobile numbers of the store's country only.
    if (err.errors?.some((e) => e.path?.startsWith('/customer/phone')))
      return {
        messages: [textMessage(tr('whatsapp.phoneNotAccepted', { url: storeUrl(config, store.slug) }))],
        state: plan.state,
      };
    if (err.status === 400 || err.status === 422)
      return { messages: [textMessage(tr('whatsapp.badAddress'))], state: { ...plan.state, awaiting: 'address' } };
    return {
      messages: [textMessage(tr('whatsapp.outsideArea', { reason: err.message.slice(0, 200) }))],
      state: plan.state,
    };
  }
}

async function takeProof(ctx: Ctx, plan: Plan, store: StoreRow, mediaId: string): Promise<Rendered> {
  const { db, config, row } = ctx;
  const tr = translator(plan.lang);
  const found = await repo.chatCart(db, store.id, row.sender);
  const order = found?.last_order_id ? await findOrderById(db, found.last_order_id) : null;
  const text = (body: string): Rendered => ({ messages: [textMessage(body)], state: plan.state });
  if (order?.payment_method !== 'upi') return text(tr('whatsapp.proofNoOrder'));
  const received = text(tr('whatsapp.proofReceived', { store: store.name, number: order.number }));
  if (order.payment_status === 'proof_submitted') return received; // a retry after the proof was taken
  if (order.payment_status !== 'pending') return text(tr('whatsapp.proofNoOrder'));
  if (!config.whatsapp) throw new Error('WhatsApp Cloud API is not configured: cannot download the screenshot');
  let bytes: Buffer;
  try {
    bytes = await downloadMedia(config.whatsapp, mediaId, MAX_PROOF_BYTES);
  } catch (err) {
    // The picture can never be had (too large, no URL), or still not on the last attempt: the customer is asked to
    // send it again rather than left thinking it was received.
    if ((err instanceof MediaError && !err.retryable) || row.attempts >= INBOX_MAX_ATTEMPTS)
      return text(tr('whatsapp.proofDownloadFailed'));
    throw err;
  }
  try {
    await submitPaymentProof(db, config, order.tracking_token, bytes);
    return received;
  } catch (err) {
    if (err instanceof AppError && (err.status === 415 || err.status === 413)) return text(tr('whatsapp.proofBad'));
    if (err instanceof AppError && err.code === 'invalid_transition') return text(tr('whatsapp.proofNoOrder'));
    throw err;
  }
}
