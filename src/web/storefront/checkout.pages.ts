/**
 * The checkout page and its form: the customer's details (remembered on this phone when asked), the order placed
 * through the checkout service, every field problem shown at once, a changed total shown with what changed.
 */
import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { billedDeliveryFee } from '../../cart/bill.js';
import { loadStoreAndCart, type CartSnapshot } from '../../cart/cart.service.js';
import { checkout, normaliseCustomer } from '../../checkout/checkout.service.js';
import { CheckoutBody, type CheckoutInput } from '../../checkout/checkout.schema.js';
import { trackingTokenOfCart } from '../../orders/orders.service.js';
import { ajvErrorsToItems, validatorCompiler } from '../../server/validation.js';
import type { Db } from '../../db/db.js';
import { AppError, validationFailed } from '../../shared/errors.js';
import { newSecretId } from '../../shared/ids.js';
import { deliveryTo, pincodeShapeOk } from '../../stores/profile.js';
import {
  clearCookie,
  field,
  formBody,
  formProblem,
  intField,
  seeOther,
  setCookie,
  setFlash,
  takeFlash,
  type FormBody,
  type FormProblem,
} from '../forms.js';
import { sendPage } from '../layout.js';
import { CART_COOKIE, cartCount, currentCart, forgetCart, type StoreContext } from './context.js';
import type { PageDeps } from './deps.js';
import { checkoutBlockers, checkoutMain, storePage, type CheckoutDelivery, type CheckoutValues } from './views.js';

// "Remember my details on this phone": a cookie on the device (nothing kept on the server), read back into the form.
const DETAILS_COOKIE = 'details';
const REMEMBERED = ['name', 'phone', 'line1', 'line2', 'city', 'pincode'] as const;

const validateCheckout = validatorCompiler({
  schema: CheckoutBody,
  httpPart: 'body',
  method: 'POST',
  url: '',
}) as unknown as ((data: unknown) => boolean) & {
  errors?: Parameters<typeof ajvErrorsToItems>[0] | null;
};

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

/** The checkout form (back to the cart while the cart has problems). */
export function checkoutPage(deps: PageDeps): RouteHandlerMethod {
  const { db, ctxOf } = deps;
  return async (request, reply) => {
    const ctx = await ctxOf(request, reply);
    const values: CheckoutValues = { key: newSecretId(), ...rememberedDetails(request) };
    // A remembered PIN is billed with its area's fee at once, so the first "Place order" is the total shown.
    const billed = await checkoutCart(db, request, ctx, values);
    if (!billed || checkoutBlockers(ctx, billed.cart).length) return seeOther(reply, ctx.href('/cart'));
    const { cart } = billed;
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
        main: checkoutMain(ctx, cart, values, null, null, billed.delivery),
      }),
      { cacheControl: 'no-store' },
    );
  };
}

/** "Place order": the order page on success; otherwise the form again with every problem, or the cart. */
export function placeOrderFromForm(deps: PageDeps): RouteHandlerMethod {
  const { db, config, ctxOf } = deps;
  return async (request, reply) => {
    const ctx = await ctxOf(request, reply);
    const body = formBody(request);
    const values = checkoutValues(body);
    const cartId = request.cookies.cart;
    if (!cartId) {
      setFlash(request, reply, 'error', ctx.tr('cart.expired'));
      return seeOther(reply, ctx.href('/cart'));
    }
    let problem: FormProblem;
    try {
      const input = checkoutInput(values, ctx);
      const order = await checkout(db, config, ctx.row.slug, cartId, input, `web:${values.key}`);
      forgetCart(request, reply, ctx);
      rememberDetails(request, reply, values);
      return seeOther(reply, `/o/${encodeURIComponent(order.trackingToken)}?placed=1`);
    } catch (err) {
      problem = withPlainFieldWords(ctx, formProblem(err, checkoutField));
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
    // The bill as this form orders it (the PIN's area fee, delivery or pickup): the one the page shows and sends back.
    const billed = await checkoutCart(db, request, ctx, values);
    if (!billed) return seeOther(reply, ctx.href('/cart'));
    const { cart, delivery } = billed;
    const from = problem.code === 'total_changed' ? values.expectedTotal : undefined;
    const changed =
      from === undefined
        ? null
        : { from, to: cart.cart.total, pin: delivery && from === totalAtStoreFee(ctx, cart) ? delivery.pin : null };
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
          { ...values, key: changed ? newSecretId() : values.key },
          problem.code === 'total_changed' ? null : problem,
          changed,
          delivery,
        ),
      }),
      { status: problem.status >= 500 ? 500 : problem.status === 404 ? 422 : problem.status, cacheControl: 'no-store' },
    );
  };
}

/**
 * The customer's cart billed as this form would order it: the fulfillment chosen and, delivered to a PIN in a
 * delivery area, that area's fee (what the checkout charges; the cart alone knows no PIN and bills the store's fee).
 * `delivery`: that PIN and its area's fee, when the bill is for it. null when there is no open cart.
 */
async function checkoutCart(
  db: Db,
  request: FastifyRequest,
  ctx: StoreContext,
  values: CheckoutValues,
): Promise<{ cart: CartSnapshot; delivery: CheckoutDelivery | null } | null> {
  const chosen = values.fulfillment === 'pickup' || values.fulfillment === 'delivery' ? values.fulfillment : undefined;
  const typed = (values.pincode ?? '').replace(/\s/g, '');
  const area =
    chosen !== 'pickup' && typed && pincodeShapeOk(ctx.store.currency, typed)
      ? deliveryTo(ctx.row.delivery_areas, ctx.row.delivery_fee, typed)
      : null;
  const delivery = area?.delivers ? { pin: typed, fee: area.fee } : null;
  if (!delivery && !chosen) {
    const cart = await currentCart(db, request, ctx);
    return cart && { cart, delivery: null };
  }
  const found = await loadStoreAndCart(db, ctx.row.slug, request.cookies[CART_COOKIE] ?? '', {
    suggestions: false,
    ...(chosen ? { fulfillment: chosen } : {}),
    ...(delivery ? { pincode: delivery.pin } : {}),
  });
  if (!found || found.snapshot.row.orderId !== null) return null;
  return { cart: found.snapshot, delivery: found.snapshot.cart.fulfillment === 'delivery' ? delivery : null };
}

/** The total of this delivered cart at the store's own fee: what the page showed before the PIN was known. */
function totalAtStoreFee(ctx: StoreContext, cart: CartSnapshot): number {
  const afterDiscount = cart.cart.subtotal - cart.cart.discount;
  const { fee, freeAbove } = ctx.store.delivery;
  return afterDiscount + billedDeliveryFee('delivery', afterDiscount, { deliveryFee: fee, freeAbove });
}

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
  // A PIN the shop does not deliver to is one of those problems too, not a second round after the others.
  const pin = (v.pincode ?? '').replace(/\s/g, '');
  const outsideArea =
    fulfillment === 'delivery' &&
    pin !== '' &&
    pincodeShapeOk(ctx.store.currency, pin) &&
    !deliveryTo(ctx.row.delivery_areas, ctx.row.delivery_fee, pin).delivers
      ? [{ code: 'outside_delivery_area', path: '/customer/address/pincode', message: 'outside the delivery areas' }]
      : [];
  const items = validateCheckout(input) ? [] : ajvErrorsToItems(validateCheckout.errors ?? [], 'body');
  items.push(...missingAddress);
  // Also the service's own customer checks (phone, blanks), so one submit shows every problem at once.
  try {
    normaliseCustomer(input.customer);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    for (const item of err.errors ?? []) if (!items.some((i) => i.path === item.path)) items.push(item);
  }
  if (items.length) {
    for (const item of outsideArea) if (!items.some((i) => i.path === item.path)) items.push(item);
    throw validationFailed(
      ctx.tr('checkout.checkFields'),
      items.map((i) => ({
        ...i,
        message:
          i.code === 'outside_delivery_area'
            ? ctx.tr('checkout.outsideArea')
            : fieldMessage(ctx, checkoutField(i.path ?? '')),
      })),
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
  const outsideArea =
    problem.code === 'outside_delivery_area' || problem.items.some((i) => i.code === 'outside_delivery_area');
  for (const name of Object.keys(fields)) {
    if (outsideArea && name === 'pincode') fields[name] = ctx.tr('checkout.outsideArea');
    else fields[name] = fieldMessage(ctx, name);
  }
  return { ...problem, summary: summaries[problem.code] ?? problem.summary, fields };
}

function fieldMessage(ctx: StoreContext, name: string): string {
  return ctx.tr(FIELD_MESSAGES[name] ?? 'checkout.fieldOther');
}
