/**
 * Storefront pages: store home, product, cart, checkout. Every action is a plain form POST answered with a
 * 303 (Post/Redirect/Get); app.js may send the cart forms with fetch and `x-fragment: bill`, and then gets the
 * re-rendered bill instead. All rules live in the services (catalog, cart, checkout); this file only reads
 * forms, calls them, and renders.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import {
  listStorefrontCategories,
  listStorefrontProducts,
  countStorefrontMatches,
  getStorefrontProduct,
} from '../../catalog/storefront.service.js';
import {
  applyCartCoupon,
  createCart,
  removeCartCoupon,
  removeCartLine,
  setCartFulfillment,
  setCartLine,
} from '../../cart/cart.service.js';
import { MAX_LINE_QUANTITY } from '../../cart/cart.schema.js';
import { checkout, normaliseCustomer } from '../../checkout/checkout.service.js';
import { CheckoutBody, type CheckoutInput } from '../../checkout/checkout.schema.js';
import { ajvErrorsToItems, validatorCompiler } from '../../server/validation.js';
import { AppError, validationFailed } from '../../shared/errors.js';
import { newSecretId } from '../../shared/ids.js';
import {
  field,
  formBody,
  formProblem,
  fragmentRedirect,
  fragmentRequested,
  intField,
  seeOther,
  clearCookie,
  setCookie,
  setFlash,
  takeFlash,
  textField,
  type FormBody,
  type FormProblem,
} from '../forms.js';
import { sendPage } from '../layout.js';
import type { Html } from '../html.js';
import type { Queryable } from '../../db/db.js';
import {
  cartCount,
  currentCart,
  forgetCart,
  rememberCart,
  slugFromHost,
  storeContext,
  type StoreContext,
} from './context.js';
import { trackingTokenOfCart } from '../../orders/orders.service.js';
import {
  billSection,
  checkoutBlockers,
  checkoutMain,
  homeMain,
  lineErrorText,
  productMain,
  productOpenGraph,
  storePage,
  type CheckoutValues,
} from './views.js';
import { variantLabel } from '../../catalog/variant-label.js';

const PRODUCTS_PER_PAGE = 24;

interface Mount {
  /** '/:slug' on the platform host; '' on a store's own host. */
  prefix: string;
  options: RouteShorthandOptions;
  slugOf(request: FastifyRequest): string;
  onOwnHost: boolean;
}

type Params = Record<string, string | undefined>;

export const storefrontPages: FastifyPluginAsync = async (app) => {
  mount(app, {
    prefix: '/:slug',
    options: {},
    slugOf: (request) => (request.params as Params).slug ?? '',
    onOwnHost: false,
  });
  const baseDomain = app.config.baseDomain;
  if (baseDomain) {
    const hostPattern = new RegExp(
      `^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?\\.${baseDomain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?::\\d+)?$`,
      'i',
    );
    mount(app, {
      prefix: '',
      options: { constraints: { host: hostPattern } },
      slugOf: (request) => slugFromHost(request.headers.host, baseDomain) ?? '',
      onOwnHost: true,
    });
  }
};

/**
 * The home page's product grid, rendered once per cached product list (the same object while the catalog version
 * holds, catalog-cache.ts; categories change the version too) and per everything else it shows: the link base,
 * this URL, and the store's public settings (open, delivery, payments change the store row, not the version). The
 * cart count and flash message are outside it. Entries go with the list (a WeakMap), at most a few per list.
 */
const homeMains = new WeakMap<object, Map<string, Html>>();
function cachedHomeMain(list: object, key: string, render: () => Html): Html {
  let byKey = homeMains.get(list);
  if (!byKey) {
    byKey = new Map();
    homeMains.set(list, byKey);
  }
  let main = byKey.get(key);
  if (!main) {
    main = render();
    if (byKey.size < 16) byKey.set(key, main);
  }
  return main;
}

function mount(app: FastifyInstance, m: Mount): void {
  const { db, config } = app;
  const ctxOf = (request: FastifyRequest, reply: FastifyReply | null = null, on: Queryable = db) =>
    storeContext(on, config, m.slugOf(request), m.onOwnHost, request, reply);
  const opts = m.options;
  const root = m.prefix || '/';

  // ------------------------------------------------------------ home
  // The catalog pages read the catalog where app.readDb says (a replica that has the client's last write, or the
  // primary); the cart badge is read on the primary.
  app.get(root, opts, async (request, reply) => {
    const catalog = await app.readDb(request);
    const ctx = await ctxOf(request, reply, catalog);
    const query = request.query as Params;
    const q = (typeof query.q === 'string' ? query.q : '').trim().slice(0, 100);
    const categorySlug = (typeof query.category === 'string' ? query.category : '').slice(0, 100);
    const cursor = typeof query.cursor === 'string' && query.cursor ? query.cursor.slice(0, 500) : undefined;
    const [categories, list, cart] = await Promise.all([
      listStorefrontCategories(catalog, ctx.store.id, ctx.store.catalogVersion),
      listStorefrontProducts(
        catalog,
        ctx.store.id,
        { q: q || undefined, categorySlug: categorySlug || undefined, limit: PRODUCTS_PER_PAGE, cursor },
        ctx.store.catalogVersion,
      ),
      currentCart(db, request, ctx),
    ]);
    // A search inside a category also counts the whole store's matches, to offer them (issue 13 item 3).
    const inAll =
      q && categorySlug && !cursor ? await countStorefrontMatches(db, ctx.store.id, q, ctx.store.catalogVersion) : null;
    const here = request.url.length <= 600 ? request.url : ctx.href();
    const origin = new URL(ctx.absoluteBase).origin;
    const firstImage = list.items.find((p) => p.images.length)?.images[0];
    const page = storePage(ctx, {
      title: q ? `${q} — ${ctx.store.name}` : ctx.store.name,
      description: ctx.store.description || ctx.tr('storefront.metaDescription', { store: ctx.store.name }),
      here,
      og: {
        title: ctx.store.name,
        description: ctx.store.description || ctx.tr('storefront.metaDescription', { store: ctx.store.name }),
        url: ctx.absoluteBase,
        type: 'website',
        siteName: ctx.store.name,
        image: firstImage ? (firstImage.startsWith('/') ? `${origin}${firstImage}` : firstImage) : undefined,
      },
      pageId: 'store-home',
      cartCount: cartCount(cart),
      flash: takeFlash(request, reply),
      main: cachedHomeMain(list, `${ctx.lang}\n${ctx.base}\n${here}\n${JSON.stringify(ctx.store)}`, () =>
        homeMain(ctx, {
          categories,
          products: list.items,
          nextCursor: list.nextCursor,
          query: q,
          categorySlug,
          here,
          inAll,
        }),
      ),
    });
    return sendPage(request, reply, page);
  });

  // ------------------------------------------------------------ product
  app.get(`${m.prefix}/p/:productSlug`, opts, async (request, reply) => {
    const catalog = await app.readDb(request);
    const ctx = await ctxOf(request, reply, catalog);
    const productSlug = (request.params as Params).productSlug ?? '';
    const [product, cart] = await Promise.all([
      getStorefrontProduct(catalog, ctx.store.id, productSlug.slice(0, 200), ctx.store.catalogVersion),
      currentCart(db, request, ctx),
    ]);
    const og = productOpenGraph(ctx, product);
    const ids = new Set(product.variants.map((v) => v.id));
    const inCart = cart ? cart.cart.lines.filter((l) => ids.has(l.variantId)).reduce((n, l) => n + l.quantity, 0) : 0;
    return sendPage(
      request,
      reply,
      storePage(ctx, {
        title: `${product.name} — ${ctx.store.name}`,
        description: og.description,
        og,
        pageId: 'product',
        here: ctx.href(`/p/${encodeURIComponent(product.slug)}`),
        cartCount: cartCount(cart),
        flash: takeFlash(request, reply),
        main: productMain(ctx, product, null, inCart),
      }),
    );
  });

  // ------------------------------------------------------------ cart
  app.get(`${m.prefix}/cart`, opts, async (request, reply) => {
    const ctx = await ctxOf(request, reply);
    const cart = await currentCart(db, request, ctx);
    const flash = takeFlash(request, reply);
    return sendPage(
      request,
      reply,
      storePage(ctx, {
        title: `${ctx.tr('cart.title')} — ${ctx.store.name}`,
        pageId: 'cart',
        here: ctx.href('/cart'),
        noindex: true,
        cartCount: cartCount(cart),
        main: billSection(ctx, cart, { notice: flash }),
      }),
    );
  });

  app.post(`${m.prefix}/cart/add`, opts, async (request, reply) => {
    const ctx = await ctxOf(request, reply);
    const body = formBody(request);
    const back = safeBack(ctx, field(body, 'back', 600));
    const variantId = field(body, 'variantId', 100) ?? '';
    const quantity = intField(body, 'quantity') ?? 1;
    if (quantity < 1 || quantity > MAX_LINE_QUANTITY) {
      setFlash(request, reply, 'error', ctx.tr('cart.quantityRange', { min: 1, max: MAX_LINE_QUANTITY }));
      return seeOther(reply, back);
    }
    try {
      let cart = await currentCart(db, request, ctx);
      if (!cart) {
        const created = await createCart(db, ctx.row.slug);
        rememberCart(request, reply, ctx, created.id);
        cart = { cart: created } as NonNullable<typeof cart>;
      }
      const existing = cart.cart.lines.find((l) => l.variantId === variantId)?.quantity ?? 0;
      const updated = await setCartLine(
        db,
        ctx.row.slug,
        cart.cart.id,
        variantId,
        Math.min(existing + quantity, MAX_LINE_QUANTITY),
      );
      const line = updated.lines.find((l) => l.variantId === variantId);
      const label = line ? variantLabel(line.name, line.variantName) : null;
      const name = line ? `${line.name}${label ? ` ${label}` : ''}` : '';
      const problem = line ? lineErrorText(ctx, line) : null;
      setFlash(
        request,
        reply,
        problem ? 'error' : 'ok',
        problem ? ctx.tr('cart.addedButProblem', { name, problem }) : ctx.tr('cart.added', { name, count: quantity }),
      );
    } catch (err) {
      setFlash(request, reply, 'error', addProblemText(ctx, formProblem(err)));
    }
    return seeOther(reply, back);
  });

  /** Runs one cart change, then answers with the bill fragment (fetch) or a 303 to the cart page. */
  async function cartAction(
    request: FastifyRequest,
    reply: FastifyReply,
    change: (ctx: StoreContext, cartId: string, body: FormBody) => Promise<string | null>,
  ) {
    const ctx = await ctxOf(request, reply);
    const fragment = fragmentRequested(request);
    const cartPath = ctx.href('/cart');
    const cart = await currentCart(db, request, ctx);
    let notice: { kind: 'ok' | 'error'; text: string } | null = null;
    let couponProblem: FormProblem | null = null;
    if (!cart) {
      notice = { kind: 'error', text: ctx.tr('cart.expired') };
    } else {
      try {
        const text = await change(ctx, cart.cart.id, formBody(request));
        if (text) notice = { kind: 'ok', text };
      } catch (err) {
        const problem = formProblem(err);
        if (problem.code === 'cart_already_ordered') {
          forgetCart(request, reply, ctx);
          return fragment ? fragmentRedirect(reply, cartPath) : seeOther(reply, cartPath);
        }
        if (problem.code === 'invalid_coupon') couponProblem = problem;
        const text =
          problem.code === 'invalid_coupon'
            ? couponRefusal(ctx, problem)
            : problem.code === 'not_found'
              ? ctx.tr('cart.itemGone')
              : problem.code === 'validation_failed' && !problem.fields.fulfillment
                ? ctx.tr('cart.quantityRange', { min: 0, max: MAX_LINE_QUANTITY })
                : problem.summary;
        if (problem.code === 'invalid_coupon') problem.fields.code = text;
        notice = { kind: 'error', text };
      }
    }
    if (fragment === 'bill') {
      const fresh = await currentCart(db, request, ctx);
      const couponTyped = couponProblem ? field(formBody(request), 'code', 64) : undefined;
      return sendPage(request, reply, billSection(ctx, fresh, { notice, couponProblem, couponTyped }), {
        cacheControl: 'no-store',
      });
    }
    if (notice) setFlash(request, reply, notice.kind, notice.text);
    return seeOther(reply, cartPath);
  }

  app.post(`${m.prefix}/cart/lines/:variantId`, opts, async (request, reply) =>
    cartAction(request, reply, async (ctx, cartId, body) => {
      const variantId = (request.params as Params).variantId ?? '';
      const typed = intField(body, 'quantity');
      const delta = intField(body, 'delta') ?? 0;
      const quantity = typed === null ? -1 : typed + (delta === 1 || delta === -1 ? delta : 0);
      if (quantity < 0 || quantity > MAX_LINE_QUANTITY) {
        throw validationFailed(
          'quantity out of range',
          [{ code: 'invalid', path: '/quantity', message: `from 0 to ${MAX_LINE_QUANTITY}` }],
          422,
        );
      }
      await setCartLine(db, ctx.row.slug, cartId, variantId, quantity);
      return quantity === 0 ? ctx.tr('cart.removed') : ctx.tr('cart.updated');
    }),
  );

  app.post(`${m.prefix}/cart/lines/:variantId/remove`, opts, async (request, reply) =>
    cartAction(request, reply, async (ctx, cartId) => {
      await removeCartLine(db, ctx.row.slug, cartId, (request.params as Params).variantId ?? '');
      return ctx.tr('cart.removed');
    }),
  );

  // "Add instead": the suggested replacement takes the unavailable line's place, same quantity (within stock).
  app.post(`${m.prefix}/cart/replace`, opts, async (request, reply) =>
    cartAction(request, reply, async (ctx, cartId, body) => {
      const from = field(body, 'from', 100) ?? '';
      const to = field(body, 'to', 100) ?? '';
      const before = await currentCart(db, request, ctx);
      const old = before?.cart.lines.find((l) => l.variantId === from);
      const updated = await setCartLine(db, ctx.row.slug, cartId, to, Math.max(1, old?.quantity ?? 1));
      if (old) await removeCartLine(db, ctx.row.slug, cartId, from);
      const added = updated.lines.find((l) => l.variantId === to);
      return ctx.tr('cart.replaced', { name: added?.name ?? '' });
    }),
  );

  app.post(`${m.prefix}/cart/coupon`, opts, async (request, reply) =>
    cartAction(request, reply, async (ctx, cartId, body) => {
      const code = textField(body, 'code', 64);
      if (!code)
        throw new AppError('invalid_coupon', 'Enter a coupon code.', [
          { code: 'required', path: '/code', message: 'Enter a coupon code' },
        ]);
      const cart = await applyCartCoupon(db, ctx.row.slug, cartId, code);
      return cart.coupon?.applied === false
        ? ctx.tr('cart.couponKept', { code: cart.couponCode ?? code })
        : ctx.tr('cart.couponApplied', { code: cart.couponCode ?? code });
    }),
  );

  app.post(`${m.prefix}/cart/coupon/remove`, opts, async (request, reply) =>
    cartAction(request, reply, async (ctx, cartId) => {
      await removeCartCoupon(db, ctx.row.slug, cartId);
      return ctx.tr('cart.couponRemoved');
    }),
  );

  app.post(`${m.prefix}/cart/fulfillment`, opts, async (request, reply) =>
    cartAction(request, reply, async (ctx, cartId, body) => {
      const choice = field(body, 'fulfillment', 20);
      if (choice !== 'delivery' && choice !== 'pickup') {
        throw validationFailed(
          ctx.tr('cart.chooseFulfillment'),
          [{ code: 'invalid', path: '/fulfillment', message: 'Choose delivery or pickup' }],
          422,
        );
      }
      await setCartFulfillment(db, ctx.row.slug, cartId, choice);
      return choice === 'pickup' ? ctx.tr('cart.willPickUp') : ctx.tr('cart.willDeliver');
    }),
  );

  // ------------------------------------------------------------ checkout
  app.get(`${m.prefix}/checkout`, opts, async (request, reply) => {
    const ctx = await ctxOf(request, reply);
    const cart = await currentCart(db, request, ctx);
    if (!cart || checkoutBlockers(ctx, cart).length) return seeOther(reply, ctx.href('/cart'));
    const values: CheckoutValues = { key: newSecretId(), ...rememberedDetails(request) };
    return sendPage(
      request,
      reply,
      storePage(ctx, {
        title: `${ctx.tr('checkout.title')} — ${ctx.store.name}`,
        here: ctx.href('/checkout'),
        pageId: 'checkout',
        noindex: true,
        cartCount: cartCount(cart),
        flash: takeFlash(request, reply),
        main: checkoutMain(ctx, cart, values),
      }),
      { cacheControl: 'no-store' },
    );
  });

  app.post(`${m.prefix}/checkout`, opts, async (request, reply) => {
    const ctx = await ctxOf(request, reply);
    const body = formBody(request);
    const values = checkoutValues(body);
    const cartId = request.cookies.cart;
    if (!cartId) {
      setFlash(request, reply, 'error', ctx.tr('cart.expired'));
      return seeOther(reply, ctx.href('/cart'));
    }
    let problem: FormProblem;
    let changedFrom: number | null = null;
    let changedTo: number | null = null;
    try {
      const input = checkoutInput(values, ctx);
      const order = await checkout(db, config, ctx.row.slug, cartId, input, `web:${values.key}`);
      forgetCart(request, reply, ctx);
      rememberDetails(request, reply, values);
      return seeOther(reply, `/o/${encodeURIComponent(order.trackingToken)}?placed=1`);
    } catch (err) {
      problem = withPlainFieldWords(ctx, formProblem(err, checkoutField));
      if (err instanceof AppError && err.code === 'total_changed') {
        changedFrom = values.expectedTotal ?? null;
        changedTo = (err.extra?.cart as { total?: number } | undefined)?.total ?? null;
      }
    }
    if (problem.code === 'cart_already_ordered') {
      // A second press of "Place order" (another tab, a slow network): show the order that cart became.
      const token = await trackingTokenOfCart(db, ctx.store.id, cartId);
      forgetCart(request, reply, ctx);
      if (token) return seeOther(reply, `/o/${encodeURIComponent(token)}`);
    }
    if (problem.code === 'not_found' || problem.code === 'cart_already_ordered') {
      setFlash(request, reply, 'error', ctx.tr('cart.expired'));
      return seeOther(reply, ctx.href('/cart'));
    }
    const cart = await currentCart(db, request, ctx);
    if (!cart) return seeOther(reply, ctx.href('/cart'));
    if (problem.code === 'cart_has_errors' || problem.code === 'below_minimum_order') {
      // The bill changed under the customer (sold out, coupon used up): the cart page says what to fix.
      setFlash(
        request,
        reply,
        'error',
        problem.code === 'cart_has_errors' ? ctx.tr('checkout.itemsChanged') : ctx.tr('checkout.belowMinimum'),
      );
      return seeOther(reply, ctx.href('/cart'));
    }
    return sendPage(
      request,
      reply,
      storePage(ctx, {
        title: `${ctx.tr('checkout.title')} — ${ctx.store.name}`,
        pageId: 'checkout',
        here: ctx.href('/checkout'),
        noindex: true,
        cartCount: cartCount(cart),
        main: checkoutMain(
          ctx,
          cart,
          { ...values, key: changedFrom !== null ? newSecretId() : values.key },
          problem.code === 'total_changed' ? null : problem,
          changedFrom !== null ? { from: changedFrom, to: changedTo ?? cart.cart.total } : null,
        ),
      }),
      { status: problem.status >= 500 ? 500 : problem.status === 404 ? 422 : problem.status, cacheControl: 'no-store' },
    );
  });
}

// ------------------------------------------------------------ helpers

function addProblemText(ctx: StoreContext, problem: FormProblem): string {
  if (problem.code === 'not_found') return ctx.tr('cart.itemGone');
  if (problem.code === 'cart_already_ordered') return ctx.tr('cart.alreadyOrdered');
  if (problem.code === 'validation_failed') return ctx.tr('cart.tooManyLines');
  return problem.summary;
}

/** Why a coupon code was refused, in the page language. */
function couponRefusal(ctx: StoreContext, problem: FormProblem): string {
  const why = problem.items[0]?.code;
  if (why === 'required') return ctx.tr('cart.enterCoupon');
  if (why === 'coupon_expired') return ctx.tr('cart.couponRefusedExpired');
  if (why === 'coupon_exhausted') return ctx.tr('cart.couponRefusedUsedUp');
  if (why === 'coupon_inactive') return ctx.tr('cart.couponRefusedInactive');
  return ctx.tr('cart.couponUnknown');
}

// "Remember my details on this phone": a cookie on the device (nothing kept on the server), read back into the form.
const DETAILS_COOKIE = 'details';
const REMEMBERED = ['name', 'phone', 'line1', 'line2', 'city', 'pincode'] as const;

function rememberedDetails(request: FastifyRequest): Partial<CheckoutValues> {
  const raw = request.cookies[DETAILS_COOKIE];
  if (!raw) return {};
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown>;
    const out: Partial<CheckoutValues> = {};
    for (const k of REMEMBERED) if (typeof parsed[k] === 'string') out[k] = (parsed[k] as string).slice(0, 300);
    return out;
  } catch {
    return {};
  }
}

function rememberDetails(request: FastifyRequest, reply: FastifyReply, v: CheckoutValues): void {
  if (v.remember !== 'on') {
    if (request.cookies[DETAILS_COOKIE]) clearCookie(request, reply, DETAILS_COOKIE, '/');
    return;
  }
  const kept = Object.fromEntries(REMEMBERED.map((k) => [k, v[k] ?? '']));
  const value = Buffer.from(JSON.stringify(kept), 'utf8').toString('base64url');
  setCookie(request, reply, DETAILS_COOKIE, value, { path: '/', maxAgeSeconds: 180 * 86400 });
}

/** Only paths inside this store: a form's `back` must never send the customer elsewhere. */
function safeBack(ctx: StoreContext, back: string | undefined): string {
  const home = ctx.href();
  if (!back) return home;
  const inStore = ctx.base
    ? back === ctx.base || back.startsWith(`${ctx.base}/`) || back.startsWith(`${ctx.base}?`)
    : back.startsWith('/') && !back.startsWith('//');
  return inStore && !/[\\\s]/.test(back) ? back : home;
}

function checkoutValues(body: FormBody): CheckoutValues {
  const key = field(body, 'key', 100);
  return {
    key: key && /^[0-9a-f-]{36}$/i.test(key) ? key : newSecretId(),
    name: field(body, 'name', 300),
    phone: field(body, 'phone', 60),
    line1: field(body, 'line1', 600),
    line2: field(body, 'line2', 600),
    city: field(body, 'city', 300),
    pincode: field(body, 'pincode', 60),
    paymentMethod: field(body, 'paymentMethod', 20),
    fulfillment: field(body, 'fulfillment', 20),
    note: field(body, 'note', 1500),
    whatsappUpdates: field(body, 'whatsappUpdates', 5) === 'on' ? 'on' : 'off',
    remember: field(body, 'remember', 5) === 'on' ? 'on' : 'off',
    expectedTotal: intField(body, 'expectedTotal') ?? undefined,
  };
}

/**
 * Phones as people type them in India: "98765 43210", "098765-43210", "+91 98765 43210" → "+919876543210".
 * Anything else is passed on for the service to judge.
 */
export function normalisePhoneInput(raw: string, currency: string): string {
  const compact = raw.replace(/[\s().-]/g, '');
  if (currency === 'INR') {
    if (/^[6-9]\d{9}$/.test(compact)) return `+91${compact}`;
    if (/^0[6-9]\d{9}$/.test(compact)) return `+91${compact.slice(1)}`;
    if (/^91[6-9]\d{9}$/.test(compact)) return `+${compact}`;
  }
  if (/^00[1-9]/.test(compact)) return `+${compact.slice(2)}`;
  return compact;
}

const validateCheckout = validatorCompiler({
  schema: CheckoutBody,
  httpPart: 'body',
  method: 'POST',
  url: '',
}) as unknown as ((data: unknown) => boolean) & {
  errors?: Parameters<typeof ajvErrorsToItems>[0] | null;
};

/** The form as the API's checkout body; checked with the API's own schema so both edges refuse the same input. */
function checkoutInput(v: CheckoutValues, ctx: StoreContext): CheckoutInput {
  const fulfillment = v.fulfillment === 'pickup' ? 'pickup' : 'delivery';
  const hasAddress = [v.line1, v.line2, v.city, v.pincode].some((x) => x?.trim());
  const input: CheckoutInput = {
    customer: {
      name: (v.name ?? '').trim(),
      phone: normalisePhoneInput(v.phone ?? '', ctx.store.currency),
      ...(fulfillment === 'delivery' || hasAddress
        ? {
            address: hasAddress
              ? {
                  line1: (v.line1 ?? '').trim(),
                  line2: v.line2?.trim() || null,
                  city: (v.city ?? '').trim(),
                  pincode: (v.pincode ?? '').replace(/\s/g, ''),
                }
              : null,
          }
        : {}),
      whatsappUpdates: v.whatsappUpdates !== 'off',
    },
    fulfillment,
    paymentMethod: (v.paymentMethod ?? '') as CheckoutInput['paymentMethod'],
    ...(v.note?.trim() ? { note: v.note.trim() } : {}),
    ...(v.expectedTotal !== undefined && v.expectedTotal >= 0 ? { expectedTotal: v.expectedTotal } : {}),
    lang: ctx.lang,
  };
  // A delivery needs the address: its empty fields are marked with the others, in the same round.
  const missingAddress =
    fulfillment === 'delivery'
      ? (['line1', 'city', 'pincode'] as const)
          .filter((k) => !v[k]?.trim())
          .map((k) => ({ code: 'required', path: `/customer/address/${k}`, message: 'required' }))
      : [];
  if (!validateCheckout(input) || missingAddress.length) {
    const items = [...ajvErrorsToItems(validateCheckout.errors ?? [], 'body'), ...missingAddress];
    // Also the service's own customer checks (phone, blanks), so one submit shows every problem at once.
    try {
      normaliseCustomer(input.customer);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      for (const item of err.errors ?? []) if (!items.some((i) => i.path === item.path)) items.push(item);
    }
    throw validationFailed(
      ctx.tr('checkout.checkFields'),
      items.map((i) => ({ ...i, message: fieldMessage(ctx, checkoutField(i.path ?? '')) })),
      422,
    );
  }
  return input;
}

/** JSON-pointer path of a checkout problem → the form field it belongs to. */
function checkoutField(path: string): string {
  if (path === '/customer/address') return 'line1';
  if (path.startsWith('/paymentMethod')) return 'paymentMethod';
  const last = path.split('/').filter(Boolean).at(-1) ?? '';
  return /^\d+$/.test(last) ? (path.split('/').filter(Boolean).at(-2) ?? '') : last;
}

/** The catalog key of each form field's message (written out for the catalog test). */
const FIELD_MESSAGES: Record<string, string> = {
  name: 'checkout.fieldName',
  phone: 'checkout.fieldPhone',
  line1: 'checkout.fieldLine1',
  line2: 'checkout.fieldLine2',
  city: 'checkout.fieldCity',
  pincode: 'checkout.fieldPincode',
  paymentMethod: 'checkout.fieldPaymentMethod',
  fulfillment: 'checkout.fieldFulfillment',
  note: 'checkout.fieldNote',
};

/** The service speaks to developers ("E.164", "must not be blank"); a customer reads these, in their language. */
function withPlainFieldWords(ctx: StoreContext, problem: FormProblem): FormProblem {
  const summaries: Partial<Record<string, string>> = {
    validation_failed: ctx.tr('checkout.checkFields'),
    outside_delivery_area: ctx.tr('checkout.outsideArea'),
    store_closed: ctx.tr('checkout.storeClosed'),
    idempotency_key_in_use: ctx.tr('checkout.stillWorking'),
    total_changed: ctx.tr('checkout.checkNewTotal'),
  };
  const fields = { ...problem.fields };
  for (const name of Object.keys(fields)) {
    if (problem.code === 'outside_delivery_area' && name === 'pincode') fields[name] = ctx.tr('checkout.outsideArea');
    else fields[name] = fieldMessage(ctx, name);
  }
  return { ...problem, summary: summaries[problem.code] ?? problem.summary, fields };
}

function fieldMessage(ctx: StoreContext, name: string): string {
  return ctx.tr(FIELD_MESSAGES[name] ?? 'checkout.fieldOther');
}
