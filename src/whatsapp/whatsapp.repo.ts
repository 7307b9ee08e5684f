/** SQL of the WhatsApp bot: the inbox, the chats, the carts and remembered customers (migration 131). */
import type { Queryable } from '../db/db.js';
import { newId } from '../shared/ids.js';

export interface InboxRow {
  id: string;
  message_id: string;
  phone_number_id: string;
  sender: string;
  message: Record<string, unknown>;
  attempts: number;
  plan: unknown;
}

/**
 * Stores a delivery's messages in one statement (one commit, however many: Meta's deliveries reach 3 MB); a message
 * id already stored (Meta redelivers), or twice in the delivery, is kept once. Returns how many were new. Ids are
 * made in the delivery's order, so its messages are handled in that order.
 */
export async function insertInbox(
  q: Queryable,
  messages: readonly { messageId: string; phoneNumberId: string; sender: string; message: unknown }[],
): Promise<number> {
  if (messages.length === 0) return 0;
  const { rowCount } = await q.query(
    `INSERT INTO whatsapp_inbox (id, message_id, phone_number_id, sender, message)
     SELECT id, message_id, phone_number_id, sender, message::jsonb
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])
            AS m(id, message_id, phone_number_id, sender, message)
     ON CONFLICT (message_id) DO NOTHING`,
    [
      messages.map(() => newId()),
      messages.map((m) => m.messageId),
      messages.map((m) => m.phoneNumberId),
      messages.map((m) => m.sender),
      messages.map((m) => JSON.stringify(m.message)),
    ],
  );
  return rowCount ?? 0;
}

/**
 * Claims due messages like the outbox does: a lease (next_attempt_at) and attempts as the claim token. Only the
 * oldest pending message of each sender can be claimed, so one customer's messages are handled one at a time and
 * in order, by whichever process claims them, while different customers' messages run side by side.
 */
export async function claimInbox(q: Queryable, batchSize: number, leaseSeconds: number): Promise<InboxRow[]> {
  // One statement, so one transaction of its own: the claim and its lease commit together.
  const { rows } = await q.query<InboxRow>(
    `UPDATE whatsapp_inbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
        WHERE id IN (SELECT i.id FROM whatsapp_inbox i
                      WHERE i.status = 'pending' AND i.next_attempt_at <= now()
                        AND NOT EXISTS (SELECT 1 FROM whatsapp_inbox o
                                         WHERE o.sender = i.sender AND o.status = 'pending'
                                           AND (o.received_at, o.id) < (i.received_at, i.id))
                      ORDER BY i.received_at, i.id
                      LIMIT $1
                      FOR UPDATE SKIP LOCKED)
        RETURNING id, message_id, phone_number_id, sender, message, attempts, plan`,
    [batchSize, leaseSeconds],
  );
  return rows.sort((a, b) => (a.id < b.id ? -1 : 1));
}

export async function savePlan(q: Queryable, id: string, attempts: number, plan: unknown): Promise<void> {
  await q.query(`UPDATE whatsapp_inbox SET plan = $3::jsonb WHERE id = $1 AND attempts = $2`, [
    id,
    attempts,
    JSON.stringify(plan),
  ]);
}

export async function finishInbox(
  q: Queryable,
  id: string,
  attempts: number,
  status: 'done' | 'skipped' | 'failed',
  error: string | null = null,
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE whatsapp_inbox SET status = $3, last_error = $4, processed_at = now()
      WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
    [id, attempts, status, error],
  );
  return rowCount === 1;
}

export async function retryInboxLater(q: Queryable, id: string, attempts: number, error: string, delaySeconds: number) {
  await q.query(
    `UPDATE whatsapp_inbox SET last_error = $3, next_attempt_at = now() + make_interval(secs => $4)
      WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
    [id, attempts, error.slice(0, 1000), delaySeconds],
  );
}

/** This message's place among its sender's messages of the minute before it (1 = the first): the rate limit. */
export async function rankInMinute(q: Queryable, inboxId: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::integer AS n
       FROM whatsapp_inbox m, whatsapp_inbox o
      WHERE m.id = $1 AND o.sender = m.sender
        AND o.received_at > m.received_at - interval '1 minute' AND (o.received_at, o.id) <= (m.received_at, m.id)`,
    [inboxId],
  );
  return rows[0]?.n ?? 0;
}

// ---------- stores ----------

export interface BotStoreRow {
  id: string;
  slug: string;
  whatsapp_bot: boolean;
  default_language: string;
}
const BOT_STORE = 'id, slug, whatsapp_bot, default_language';

export async function storeByPhoneNumberId(q: Queryable, phoneNumberId: string): Promise<BotStoreRow | null> {
  const { rows } = await q.query<BotStoreRow>(`SELECT ${BOT_STORE} FROM stores WHERE whatsapp_phone_number_id = $1`, [
    phoneNumberId,
  ]);
  return rows[0] ?? null;
}

export async function storeBySlug(q: Queryable, slug: string): Promise<BotStoreRow | null> {
  const { rows } = await q.query<BotStoreRow>(`SELECT ${BOT_STORE} FROM stores WHERE slug = $1`, [slug.toLowerCase()]);
  return rows[0] ?? null;
}

export async function storeById(q: Queryable, id: string): Promise<BotStoreRow | null> {
  const { rows } = await q.query<BotStoreRow>(`SELECT ${BOT_STORE} FROM stores WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export interface WhatsAppSettings {
  phoneNumberId: string | null;
  bot: boolean;
}

export async function readSettings(q: Queryable, storeId: string): Promise<WhatsAppSettings | null> {
  const { rows } = await q.query<{ whatsapp_phone_number_id: string | null; whatsapp_bot: boolean }>(
    `SELECT whatsapp_phone_number_id, whatsapp_bot FROM stores WHERE id = $1`,
    [storeId],
  );
  return rows[0] ? { phoneNumberId: rows[0].whatsapp_phone_number_id, bot: rows[0].whatsapp_bot } : null;
}

export async function writeSettings(
  q: Queryable,
  storeId: string,
  input: { phoneNumberId?: string | null; bot?: boolean },
): Promise<void> {
  await q.query(
    `UPDATE stores SET whatsapp_phone_number_id = CASE WHEN $2 THEN $3 ELSE whatsapp_phone_number_id END,
                       whatsapp_bot = COALESCE($4, whatsapp_bot), updated_at = now()
      WHERE id = $1`,
    [storeId, input.phoneNumberId !== undefined, input.phoneNumberId ?? null, input.bot ?? null],
  );
}

// ---------- chats ----------

export interface ChatRow {
  store_id: string | null;
  lang: string;
  state: Record<string, unknown>;
  /** seconds since the previous inbound message (null for a new chat) */
  idle_seconds: number | null;
}

/** The chat, locked for this message's processing (one message of a chat at a time); created when new. */
export async function lockChat(q: Queryable, phoneNumberId: string, phone: string, lang: string): Promise<ChatRow> {
  await q.query(
    `INSERT INTO whatsapp_chats (phone_number_id, phone, lang) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [phoneNumberId, phone, lang],
  );
  const { rows } = await q.query<ChatRow>(
    `SELECT store_id, lang, state, extract(epoch FROM now() - last_inbound_at)::float8 AS idle_seconds
       FROM whatsapp_chats WHERE phone_number_id = $1 AND phone = $2 FOR UPDATE`,
    [phoneNumberId, phone],
  );
  return rows[0]!;
}

export async function saveChat(
  q: Queryable,
  phoneNumberId: string,
  phone: string,
  chat: { storeId: string | null; lang: string; state: unknown },
): Promise<void> {
  await q.query(
    `UPDATE whatsapp_chats SET store_id = $3, lang = $4, state = $5::jsonb, last_inbound_at = now()
      WHERE phone_number_id = $1 AND phone = $2`,
    [phoneNumberId, phone, chat.storeId, chat.lang, JSON.stringify(chat.state)],
  );
}

// ---------- carts and customers ----------

export interface ChatCartRow {
  cart_id: string;
  order_id: string | null;
  last_order_id: string | null;
  /** seconds since the cart last changed */
  idle_seconds: number;
}

export async function chatCart(q: Queryable, storeId: string, phone: string): Promise<ChatCartRow | null> {
  const { rows } = await q.query<ChatCartRow>(
    `SELECT w.cart_id, c.order_id, w.last_order_id, extract(epoch FROM now() - c.updated_at)::float8 AS idle_seconds
       FROM whatsapp_carts w JOIN carts c ON c.id = w.cart_id WHERE w.store_id = $1 AND w.phone = $2`,
    [storeId, phone],
  );
  return rows[0] ?? null;
}

export async function setChatCart(q: Queryable, storeId: string, phone: string, cartId: string): Promise<void> {
  await q.query(
    `INSERT INTO whatsapp_carts (store_id, phone, cart_id) VALUES ($1, $2, $3)
     ON CONFLICT (store_id, phone) DO UPDATE SET cart_id = EXCLUDED.cart_id`,
    [storeId, phone, cartId],
  );
}

export async function setLastOrder(q: Queryable, storeId: string, phone: string, orderId: string): Promise<void> {
  await q.query(`UPDATE whatsapp_carts SET last_order_id = $3 WHERE store_id = $1 AND phone = $2`, [
    storeId,
    phone,
    orderId,
  ]);
}

export interface SavedCustomer {
  name: string;
  address: { line1: string; city: string; pincode: string };
}

export async function savedCustomer(q: Queryable, phone: string): Promise<SavedCustomer | null> {
  const { rows } = await q.query<SavedCustomer>(`SELECT name, address FROM whatsapp_customers WHERE phone = $1`, [
    phone,
  ]);
  return rows[0] ?? null;
}

export async function saveCustomer(q: Queryable, phone: string, c: SavedCustomer): Promise<void> {
  await q.query(
    `INSERT INTO whatsapp_customers (phone, name, address) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (phone) DO UPDATE SET name = EXCLUDED.name, address = EXCLUDED.address, updated_at = now()`,
    [phone, c.name, JSON.stringify(c.address)],
  );
}

/**
 * The store's sellable variants a WhatsApp catalog order names, by retailer id: the variant's SKU, or its id.
 * Keyed by the retailer id asked for.
 */
export async function variantsByRetailerId(
  q: Queryable,
  storeId: string,
  retailerIds: readonly string[],
): Promise<Map<string, string>> {
  const { rows } = await q.query<{ id: string; sku: string | null }>(
    `SELECT v.id::text AS id, v.sku FROM variants v JOIN products p ON p.id = v.product_id
      WHERE v.store_id = $1 AND v.archived_at IS NULL AND p.archived_at IS NULL AND p.is_active
        AND (v.sku = ANY($2::text[]) OR v.id::text = ANY($2::text[]))`,
    [storeId, retailerIds],
  );
  const found = new Map<string, string>();
  for (const r of rows) {
    if (r.sku !== null && retailerIds.includes(r.sku)) found.set(r.sku, r.id);
    if (retailerIds.includes(r.id) && !found.has(r.id)) found.set(r.id, r.id);
  }
  return found;
}

/** The store's categories for the greeting's list (at most 10: an interactive list holds 10 rows). */
export async function categoriesForList(q: Queryable, storeId: string): Promise<{ slug: string; name: string }[]> {
  const { rows } = await q.query<{ slug: string; name: string }>(
    `SELECT slug, name FROM categories WHERE store_id = $1 ORDER BY position, name LIMIT 10`,
    [storeId],
  );
  return rows;
}

export async function productsOfCategory(
  q: Queryable,
  storeId: string,
  categorySlug: string,
): Promise<{ category: string | null; items: { name: string; variant_name: string; price: number }[] }> {
  const { rows } = await q.query<{ category: string; name: string | null; variant_name: string; price: number }>(
    `SELECT c.name AS category, p.name, v.name AS variant_name, v.price
       FROM categories c
       LEFT JOIN products p ON p.category_id = c.id AND p.is_active AND p.archived_at IS NULL
       LEFT JOIN LATERAL (SELECT name, price FROM variants WHERE product_id = p.id AND archived_at IS NULL
                           ORDER BY position, id LIMIT 1) v ON true
      WHERE c.store_id = $1 AND c.slug = $2
      ORDER BY p.name LIMIT 15`,
    [storeId, categorySlug],
  );
  if (!rows[0]) return { category: null, items: [] };
  return {
    category: rows[0].category,
    items: rows
      .filter((r) => r.name !== null)
      .map((r) => ({ name: r.name!, variant_name: r.variant_name, price: r.price })),
  };
}
