/**
 * What the served OpenAPI document (/api/v1/openapi.json) says beyond the TypeBox schemas: a summary and a
 * description for every API operation, only API operations (pages and form posts are left out), no query
 * parameter marked required when it has a default (`limit`: the validator fills in 20), and the request body of a
 * route that reads its body itself (`config.openapiBody`: a CSV upload has no `body` schema to validate it).
 *
 * The words live in one table here, keyed by "METHOD /api/v1/path", rather than in each route's schema: the route
 * files are being split and moved between domains, and a table keeps the API's wording in one place, next to
 * docs/api.md. A route that sets its own `summary` or `description` keeps it. test/integration/api-docs.test.ts
 * fails, naming the operation, when one has no summary or description.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The request body as the OpenAPI document shows it (`{ content: { [mediaType]: { schema } } }`), for a route
     * whose handler reads and checks the body itself: documented, never validated. A `body` schema wins over it.
     */
    openapiBody?: { content: Record<string, { schema: unknown }> };
  }
}

export interface OperationDoc {
  summary: string;
  description: string;
}

const AUTH = 'Needs `Authorization: Bearer <token>` from POST /api/v1/auth/verify.';
const MEMBER = `${AUTH} Members of the store only; anyone else gets 404 not_found, as for a store that does not exist.`;
const LIST =
  'Answers `{ items, nextCursor }`: pass `nextCursor` back as `cursor` for the next page (`limit` 1..100, 20).';

export const OPERATION_DOCS: Readonly<Record<string, OperationDoc>> = {
  'POST /api/v1/auth/otp': {
    summary: 'Send a sign-in code to a phone',
    description:
      'Sends a one-time code to the phone (E.164) and answers 202. At most 5 codes per phone and 30 per client ' +
      'address in 15 minutes (429 rate_limited with Retry-After). Numbers in OTP_TEST_NUMBERS get no message.',
  },
  'POST /api/v1/auth/verify': {
    summary: 'Exchange the code for a token',
    description:
      'Answers `{ token, merchant }`; send the token as `Authorization: Bearer <token>`. A wrong or expired code is ' +
      '401 invalid_code; after 5 wrong tries the code is void.',
  },
  'GET /api/v1/me': {
    summary: 'The signed-in merchant and their stores',
    description: `${AUTH} Answers \`{ merchant, stores }\`.`,
  },
  'POST /api/v1/auth/logout': {
    summary: 'Sign out',
    description: `${AUTH} Revokes the token; answers 204.`,
  },
  'POST /api/v1/stores': {
    summary: 'Create a store',
    description:
      `${AUTH} The creator becomes the owner. \`slug\` (3..40 of a-z, 0-9, -) is derived from the name when absent; ` +
      'a taken slug is 409 slug_taken. `slug` and `currency` cannot change later.',
  },
  'GET /api/v1/stores/{storeId}': { summary: 'One store', description: MEMBER },
  'PATCH /api/v1/stores/{storeId}': {
    summary: 'Change store settings',
    description: `${MEMBER} Any subset of the fields; \`delivery\` and \`payments\` are merged field by field.`,
  },
  'POST /api/v1/stores/{storeId}/categories': { summary: 'Create a category', description: MEMBER },
  'GET /api/v1/stores/{storeId}/categories': {
    summary: 'Categories, by position',
    description: `${MEMBER} The whole list at once (\`nextCursor\` is null).`,
  },
  'PATCH /api/v1/stores/{storeId}/categories/{categoryId}': {
    summary: 'Rename or move a category',
    description: MEMBER,
  },
  'DELETE /api/v1/stores/{storeId}/categories/{categoryId}': {
    summary: 'Delete a category',
    description: `${MEMBER} Its products become uncategorised.`,
  },
  'POST /api/v1/stores/{storeId}/products': {
    summary: 'Create a product',
    description:
      `${MEMBER} Without \`variants\` the product gets one default variant from \`price\`, \`mrp\`, \`stock\`, ` +
      '`sku`. Money is an integer in minor units (paise); `stock` null or absent means not tracked.',
  },
  'GET /api/v1/stores/{storeId}/products': {
    summary: 'Products, with search and category filter',
    description: `${MEMBER} ${LIST}`,
  },
  'GET /api/v1/stores/{storeId}/products/{productId}': { summary: 'One product', description: MEMBER },
  'PATCH /api/v1/stores/{storeId}/products/{productId}': {
    summary: 'Change a product',
    description: `${MEMBER} On a single-variant product, \`price\`, \`mrp\` and \`sku\` update that variant in place.`,
  },
  'DELETE /api/v1/stores/{storeId}/products/{productId}': {
    summary: 'Archive a product',
    description: `${MEMBER} It leaves the storefront; orders keep their copy.`,
  },
  'POST /api/v1/stores/{storeId}/products/{productId}/variants': { summary: 'Add a variant', description: MEMBER },
  'PATCH /api/v1/stores/{storeId}/products/{productId}/variants/{variantId}': {
    summary: 'Change a variant',
    description: `${MEMBER} Stock changes go through the stock operation.`,
  },
  'DELETE /api/v1/stores/{storeId}/products/{productId}/variants/{variantId}': {
    summary: 'Archive a variant',
    description: `${MEMBER} The last variant cannot be removed: archive the product.`,
  },
  'POST /api/v1/stores/{storeId}/variants/{variantId}/stock': {
    summary: 'Set or adjust stock',
    description: `${MEMBER} \`{ set: n }\` or \`{ adjust: ±n }\`; a result below 0 is 409 insufficient_stock.`,
  },
  'POST /api/v1/stores/{storeId}/images': {
    summary: 'Upload a product image',
    description: MEMBER,
  },
  'POST /api/v1/stores/{storeId}/coupons': {
    summary: 'Create a coupon',
    description: `${MEMBER} Codes are case-insensitive per store (409 conflict for a duplicate).`,
  },
  'GET /api/v1/stores/{storeId}/coupons': { summary: 'Coupons', description: `${MEMBER} ${LIST}` },
  'GET /api/v1/stores/{storeId}/coupons/{couponId}': { summary: 'One coupon', description: MEMBER },
  'PATCH /api/v1/stores/{storeId}/coupons/{couponId}': { summary: 'Change a coupon', description: MEMBER },
  'DELETE /api/v1/stores/{storeId}/coupons/{couponId}': { summary: 'Delete a coupon', description: MEMBER },
  'GET /api/v1/stores/{storeId}/orders': {
    summary: 'Orders, newest first',
    description: `${MEMBER} Filter by \`status\`. ${LIST}`,
  },
  'GET /api/v1/stores/{storeId}/orders/{orderId}': {
    summary: 'One order',
    description: `${MEMBER} Reading it marks it seen in the dashboard.`,
  },
  'POST /api/v1/stores/{storeId}/orders/{orderId}/transitions': {
    summary: 'Change the status',
    description:
      `${MEMBER} placed → accepted → shipped → delivered; placed → rejected; placed or accepted → cancelled ` +
      '(stock and coupon use come back once). Anything else is 409 invalid_transition.',
  },
  'PUT /api/v1/stores/{storeId}/orders/{orderId}/lines': {
    summary: 'Replace the lines',
    description:
      `${MEMBER} While placed or accepted. The list is the whole new set of lines; kept lines keep their price, ` +
      'added ones take today’s, stock moves in the same transaction.',
  },
  'POST /api/v1/stores/{storeId}/orders/{orderId}/payment': {
    summary: 'Record a payment',
    description: `${MEMBER} \`{ status: "paid" | "refunded" }\`.`,
  },
  'GET /api/v1/stores/{storeId}/orders/{orderId}/payment-proof': {
    summary: 'The payment proof image',
    description: `${MEMBER} The latest screenshot the customer uploaded.`,
  },
  'GET /api/v1/storefront/{slug}/delivery': {
    summary: 'Does the store deliver to a PIN code?',
    description: 'Public. Answers `{ delivers, fee }` from the store’s delivery areas (empty areas: everywhere).',
  },
  'GET /api/v1/stores/{storeId}/members': {
    summary: 'The store’s members',
    description: `${MEMBER} Owner only (403 forbidden for staff). Each with merchantId, phone, name and role.`,
  },
  'POST /api/v1/stores/{storeId}/members': {
    summary: 'Add a staff member',
    description: `${MEMBER} Owner only. \`{ phone, role: "staff" }\`; staff handle orders, catalog, stock and coupons.`,
  },
  'DELETE /api/v1/stores/{storeId}/members/{merchantId}': {
    summary: 'Remove a member',
    description: `${MEMBER} Owner only; answers 204.`,
  },
  'GET /api/v1/stores/{storeId}/reports/sales': {
    summary: 'Sales report',
    description:
      `${MEMBER} \`from\` and \`to\` are dates (YYYY-MM-DD) in the store’s time zone. Orders per day, revenue ` +
      '(placed orders not rejected or cancelled), top products, new and returning customers.',
  },
  'GET /api/v1/stores/{storeId}/orders/export': {
    summary: 'Orders as CSV',
    description: `${MEMBER} The orders between \`from\` and \`to\` and their lines, one CSV row per line.`,
  },
  'POST /api/v1/stores/{storeId}/products/import': {
    summary: 'Import products from CSV',
    description:
      `${MEMBER} A \`text/csv\` body or a multipart \`file\`; \`?dryRun=true\` checks without writing. Answers ` +
      'counts of created, updated and unchanged products and the rows in error.',
  },
  'GET /api/v1/stores/{storeId}/products/export': {
    summary: 'Export products as CSV',
    description: `${MEMBER} The same columns the import reads.`,
  },
  'GET /api/v1/stores/{storeId}/whatsapp': {
    summary: 'WhatsApp settings',
    description: `${MEMBER} The store’s own Cloud API number (or null: the shared one) and whether the bot answers.`,
  },
  'PATCH /api/v1/stores/{storeId}/whatsapp': {
    summary: 'Change WhatsApp settings',
    description: `${MEMBER} Owner only. \`phoneNumberId\` (digits, or null) and \`bot\`.`,
  },
  'POST /api/v1/stores/{storeId}/whatsapp/verification': {
    summary: 'Send a code to the store’s WhatsApp number',
    description:
      `${MEMBER} Owner only. A 6-digit code through the sign-in code channel, valid 10 minutes, one a minute ` +
      '(else 429); 409 without a number or once verified. Until verified, messages go to the owner’s phone.',
  },
  'POST /api/v1/stores/{storeId}/whatsapp/verification/confirm': {
    summary: 'Confirm the store’s WhatsApp number',
    description: `${MEMBER} Owner only. \`{ code }\` → the Store, its number verified; wrong or expired: 422 on /code.`,
  },
  'GET /api/v1/storefront/{slug}': {
    summary: 'A store, as shoppers see it',
    description: 'Public. Name, currency, WhatsApp number, open or closed, delivery terms and payment methods.',
  },
  'GET /api/v1/storefront/{slug}/categories': {
    summary: 'The store’s categories',
    description: 'Public. The whole list at once.',
  },
  'GET /api/v1/storefront/{slug}/products': {
    summary: 'Products on sale',
    description: `Public. Active products; \`q\` searches, \`category\` is a category slug. ${LIST}`,
  },
  'GET /api/v1/storefront/{slug}/products/{productSlug}': {
    summary: 'One product',
    description: 'Public. Variants carry `inStock` instead of a stock count.',
  },
  'POST /api/v1/storefront/{slug}/carts': {
    summary: 'Open a cart',
    description: 'Public. The cart id is unguessable: it is the customer’s key to the cart.',
  },
  'GET /api/v1/storefront/{slug}/carts/{cartId}': {
    summary: 'A cart and its bill',
    description:
      'Public. The bill is recomputed on every read with current prices; each line that cannot be sold says why ' +
      '(out_of_stock, insufficient_stock with `available`, unavailable).',
  },
  'PATCH /api/v1/storefront/{slug}/carts/{cartId}': {
    summary: 'Delivery or pickup',
    description: 'Public. `pickup` only where the store offers it.',
  },
  'PUT /api/v1/storefront/{slug}/carts/{cartId}/lines/{variantId}': {
    summary: 'Set a line’s quantity',
    description: 'Public. 0..999; 0 removes the line. At most 100 lines.',
  },
  'DELETE /api/v1/storefront/{slug}/carts/{cartId}/lines/{variantId}': {
    summary: 'Remove a line',
    description: 'Public. Answers the cart.',
  },
  'PUT /api/v1/storefront/{slug}/carts/{cartId}/coupon': {
    summary: 'Apply a coupon',
    description:
      'Public. An unknown code is 422 invalid_coupon; a coupon that cannot apply now is kept, not applied, with ' +
      'its reason.',
  },
  'DELETE /api/v1/storefront/{slug}/carts/{cartId}/coupon': { summary: 'Remove the coupon', description: 'Public.' },
  'POST /api/v1/storefront/{slug}/carts/{cartId}/checkout': {
    summary: 'Place the order',
    description:
      'Public; honours Idempotency-Key. Stock is taken in the same transaction that writes the order, so the last ' +
      'unit is sold once. A line that cannot be sold is 409 cart_has_errors and nothing is taken; a bill that ' +
      'differs from `expectedTotal` is 409 total_changed.',
  },
  'GET /api/v1/orders/{trackingToken}': {
    summary: 'Track an order',
    description: 'Public, by the unguessable tracking token: status, history, bill and payment.',
  },
  'POST /api/v1/orders/{trackingToken}/cancel': {
    summary: 'Cancel the order',
    description: 'Public, by tracking token. Only while placed; stock and coupon use come back.',
  },
  'PUT /api/v1/orders/{trackingToken}/lines': {
    summary: 'Change the order’s lines',
    description: 'Public, by tracking token. Only while placed; the list is the whole new set of lines.',
  },
  'POST /api/v1/orders/{trackingToken}/payment-proof': {
    summary: 'Upload a payment screenshot',
    description:
      'Public, by tracking token. Multipart, one image `file` (JPEG, PNG or WebP by its bytes, at most 5 MB) and ' +
      'an optional 12-digit UPI `reference`. The order becomes proof_submitted.',
  },
  'GET /api/v1/orders/{trackingToken}/payment-proof': {
    summary: 'The uploaded payment screenshot',
    description: 'Public, by tracking token.',
  },
  'GET /api/v1/orders/{trackingToken}/upi-qr.svg': {
    summary: 'UPI QR code',
    description: 'Public, by tracking token. The `upi://pay` link with the exact amount due, as an SVG QR code.',
  },
  'GET /api/v1/orders/{trackingToken}/upi-qr.png': {
    summary: 'UPI QR code (PNG)',
    description:
      'Public, by tracking token. The same QR code as a PNG image: the WhatsApp bot sends it as an image message ' +
      '(WhatsApp takes JPEG or PNG, not SVG).',
  },
};

interface RouteSchema {
  hide?: boolean;
  summary?: string;
  description?: string;
  querystring?: { properties?: Record<string, { default?: unknown }>; required?: string[] };
  [key: string]: unknown;
}

/** Fastify path (`/stores/:storeId`) → OpenAPI path (`/stores/{storeId}`). */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * @fastify/swagger's `transform`: hides everything outside /api/, adds the table's words and `config.openapiBody`,
 * and drops `required` from query parameters that have a default. Returns copies; the schemas that validate
 * requests are not touched.
 */
export function documentOperation(input: {
  schema: unknown;
  url: string;
  route: { method: string | string[]; config?: { openapiBody?: unknown } };
}): {
  schema: RouteSchema;
  url: string;
} {
  const schema: RouteSchema = { ...((input.schema as RouteSchema | undefined) ?? {}) };
  if (!input.url.startsWith('/api/')) return { schema: { ...schema, hide: true }, url: input.url };
  const method = ([] as string[]).concat(input.route.method).find((m) => m !== 'HEAD') ?? 'GET';
  const doc = OPERATION_DOCS[`${method} ${openApiPath(input.url)}`];
  if (doc) {
    schema.summary ??= doc.summary;
    schema.description ??= doc.description;
  }
  const documentedBody = input.route.config?.openapiBody;
  if (documentedBody && schema.body === undefined) schema.body = documentedBody;
  const query = schema.querystring;
  if (query?.required && query.properties) {
    const properties = query.properties;
    schema.querystring = {
      ...query,
      required: query.required.filter((name) => properties[name]?.default === undefined),
    };
  }
  return { schema, url: input.url };
}
