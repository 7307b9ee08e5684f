/**
 * An inbound webhook message as the bot reads it: only the fields it uses, each of the type Meta documents, or
 * absent. A message whose fields have other types (a number for a text body, an object for a media id) is read
 * as far as it is well-formed, never thrown on: a message that throws is retried and holds up the sender's later
 * messages for minutes before it is given up.
 */

/** The inbound message object of a Cloud API webhook (the parts the bot reads). */
export interface InboundMessage {
  from: string;
  id: string;
  type: string;
  text?: { body: string };
  image?: { id: string };
  /** a file sent as a document: its media id and the MIME type WhatsApp states (a screenshot may come this way) */
  document?: { id: string; mimeType: string };
  interactive?: { button_reply?: { id: string }; list_reply?: { id: string } };
  button?: { payload: string };
  /** a map pin: the place's name and address as WhatsApp sends them (either may be absent) */
  location?: { name?: string; address?: string };
  /** a cart sent from the business's WhatsApp catalog: each product by its retailer id (the variant's SKU or id) */
  order?: { items: { retailerId: string; quantity: number }[] };
}

/**
 * Message types that ask nothing of the shop, answered with silence: a reaction (👍 on the bill) and a system
 * notice (the customer changed their number).
 */
const SILENT_TYPES = new Set(['reaction', 'system']);

const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The well-formed parts of a stored webhook message. */
export function readInbound(raw: unknown): InboundMessage {
  const m = obj(raw) ?? {};
  const out: InboundMessage = { from: str(m.from) ?? '', id: str(m.id) ?? '', type: str(m.type) ?? '' };
  const body = str(obj(m.text)?.body);
  if (body !== undefined) out.text = { body };
  const imageId = str(obj(m.image)?.id);
  if (imageId) out.image = { id: imageId };
  const document = obj(m.document);
  const documentId = str(document?.id);
  if (documentId) out.document = { id: documentId, mimeType: str(document?.mime_type) ?? '' };
  const interactive = obj(m.interactive);
  const buttonId = str(obj(interactive?.button_reply)?.id);
  const rowId = str(obj(interactive?.list_reply)?.id);
  if (buttonId) out.interactive = { button_reply: { id: buttonId } };
  else if (rowId) out.interactive = { list_reply: { id: rowId } };
  const location = obj(m.location);
  if (location) {
    out.location = {};
    const placeName = str(location.name)?.trim();
    const placeAddress = str(location.address)?.trim();
    if (placeName) out.location.name = placeName.slice(0, 200);
    if (placeAddress) out.location.address = placeAddress.slice(0, 300);
  }
  const payload = str(obj(m.button)?.payload);
  if (payload) out.button = { payload };
  const productItems = obj(m.order)?.product_items;
  if (Array.isArray(productItems)) {
    const items: { retailerId: string; quantity: number }[] = [];
    for (const raw of productItems.slice(0, 30)) {
      const item = obj(raw);
      const retailerId = str(item?.product_retailer_id);
      const quantity = Number(item?.quantity);
      if (retailerId && retailerId.length <= 100 && Number.isInteger(quantity) && quantity > 0)
        items.push({ retailerId, quantity: Math.min(quantity, 999) });
    }
    out.order = { items };
  }
  return out;
}

/**
 * The media id of a picture the customer sent: an image message, or an image sent as a document ("send as file",
 * the usual way of sending a screenshot uncompressed; its stated MIME type is image/…). Either is then taken alike,
 * its type checked by content. Null for anything else (a PDF is not a screenshot).
 */
export function pictureId(message: InboundMessage): string | null {
  if (message.type === 'image' && message.image) return message.image.id;
  if (message.type === 'document' && message.document && /^image\//i.test(message.document.mimeType.trim()))
    return message.document.id;
  return null;
}

/** True for a message that asks nothing of the shop (SILENT_TYPES): stored, not answered. */
export function isSilent(message: InboundMessage): boolean {
  return SILENT_TYPES.has(message.type);
}

/** NUL and unpaired UTF-16 surrogates: PostgreSQL's text and jsonb take neither. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A webhook value as PostgreSQL can store it: every string (keys too) with NUL and unpaired surrogates replaced
 * by U+FFFD. One such character would otherwise fail the whole delivery's INSERT, and Meta would redeliver it,
 * refused every time, until it dropped the delivery with every other message in it.
 */
export function storable(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(UNSTORABLE, '\ufffd');
  if (Array.isArray(value)) return value.map(storable);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k) as string, storable(v)]));
  return value;
}
