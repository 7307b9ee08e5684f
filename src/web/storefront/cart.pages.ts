/**
 * The cart page and its forms: add from a product page, and the changes on the cart page (quantity, remove,
 * replace, coupon, delivery or pickup). Each change answers a 303 to the cart, or the re-rendered bill when app.js
 * sent it with `x-fragment: bill`.
 */
import type { FastifyRequest, RouteHandlerMethod } from 'fastify';
import {
  applyCartCoupon,
  createCart,
  loadCartSnapshot,
  removeCartCoupon,
  removeCartLine,
  setCartFulfillment,
  setCartLine,
} from '../../cart/cart.service.js';
import { MAX_LINE_QUANTITY, type CartView } from '../../cart/cart.schema.js';
import { variantLabel } from '../../catalog/variant-label.js';
import { AppError, validationFailed } from '../../shared/errors.js';
import {
  field,
  formBody,
  formProblem,
  fragmentRedirect,
  fragmentRequested,
  intField,
  seeOther,
  setFlash,
  takeFlash,
  textField,
  type FormBody,
  type FormProblem,
} from '../forms.js';
import { sendPage } from '../layout.js';
import { cartCount, currentCart, forgetCart, rememberCart, type StoreContext } from './context.js';
import type { PageDeps, Params } from './deps.js';
import { billSection, lineErrorText, storePage } from './views.js';

/** One change to the open cart; answers the notice to show (null: none). */
export type CartChange = (
  deps: PageDeps,
  request: FastifyRequest,
  ctx: StoreContext,
  cartId: string,
  body: FormBody,
) => Promise<string | null>;

/** The cart page: the bill with every line's problem and what to do about it. */
export function cartPage(deps: PageDeps): RouteHandlerMethod {
  const { db, ctxOf } = deps;
  return async (request, reply) => {
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
  };
}

/**
 * The chat's cart, continued here (the link in the WhatsApp bill): the same cart becomes this browser's cart. The id
 * is the cart's credential, as in the API; an unknown or already ordered cart leaves the browser's own cart.
 */
export function continueCart(deps: PageDeps): RouteHandlerMethod {
  const { db, ctxOf } = deps;
  return async (request, reply) => {
    const ctx = await ctxOf(request, reply);
    const cartId = (request.params as Params).cartId ?? '';
    try {
      const chatCart = await loadCartSnapshot(db, ctx.row, cartId);
      if (chatCart.row.orderId === null) rememberCart(request, reply, ctx, cartId);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'not_found')) throw err;
    }
    return seeOther(reply, ctx.href('/cart'));
  };
}

/** "Add to cart" on a product page: adds to the line (a new cart when there is none), then back where it was. */
export function addToCart(deps: PageDeps): RouteHandlerMethod {
  const { db, ctxOf } = deps;
  return async (request, reply) => {
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
      const cart = await currentCart(db, request, ctx);
      let updated: CartView;
      if (cart) {
        const existing = cart.cart.lines.find((l) => l.variantId === variantId)?.quantity ?? 0;
        updated = await setCartLine(
          db,
          ctx.row.slug,
          cart.cart.id,
          variantId,
          Math.min(existing + quantity, MAX_LINE_QUANTITY),
        );
      } else {
        // The first item: the cart is created holding it, in one statement (none is left behind if it is refused).
        updated = await createCart(db, ctx.row.slug, [{ variantId, quantity }]);
        rememberCart(request, reply, ctx, updated.id);
      }
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
  };
}

/** Runs one cart change, then answers with the bill fragment (fetch) or a 303 to the cart page. */
export function cartAction(deps: PageDeps, change: CartChange): RouteHandlerMethod {
  const { db, ctxOf } = deps;
  return async (request, reply) => {
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
        const text = await change(deps, request, ctx, cart.cart.id, formBody(request));
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
  };
}

/** A line set to the typed quantity, or one more / one less (the − and + buttons). */
export const setLineQuantity: CartChange = async ({ db }, request, ctx, cartId, body) => {
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
};

/** A line taken out. */
export const removeLine: CartChange = async ({ db }, request, ctx, cartId) => {
  await removeCartLine(db, ctx.row.slug, cartId, (request.params as Params).variantId ?? '');
  return ctx.tr('cart.removed');
};

/** "Add instead": the suggested replacement takes the unavailable line's place, same quantity (within stock). */
export const replaceLine: CartChange = async ({ db }, request, ctx, cartId, body) => {
  const from = field(body, 'from', 100) ?? '';
  const to = field(body, 'to', 100) ?? '';
  const before = await currentCart(db, request, ctx);
  const old = before?.cart.lines.find((l) => l.variantId === from);
  const updated = await setCartLine(db, ctx.row.slug, cartId, to, Math.max(1, old?.quantity ?? 1));
  if (old) await removeCartLine(db, ctx.row.slug, cartId, from);
  const added = updated.lines.find((l) => l.variantId === to);
  return ctx.tr('cart.replaced', { name: added?.name ?? '' });
};

/** A coupon code applied (kept but not applied when the bill does not qualify yet). */
export const applyCoupon: CartChange = async ({ db }, _request, ctx, cartId, body) => {
  const code = textField(body, 'code', 64);
  if (!code)
    throw new AppError('invalid_coupon', 'Enter a coupon code.', [
      { code: 'required', path: '/code', message: 'Enter a coupon code' },
    ]);
  const cart = await applyCartCoupon(db, ctx.row.slug, cartId, code);
  return cart.coupon?.applied === false
    ? ctx.tr('cart.couponKept', { code: cart.couponCode ?? code })
    : ctx.tr('cart.couponApplied', { code: cart.couponCode ?? code });
};

/** The coupon taken off. */
export const removeCoupon: CartChange = async ({ db }, _request, ctx, cartId) => {
  await removeCartCoupon(db, ctx.row.slug, cartId);
  return ctx.tr('cart.couponRemoved');
};

/** Delivery or pickup. */
export const chooseFulfillment: CartChange = async ({ db }, _request, ctx, cartId, body) => {
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
};

function addProblemText(ctx: StoreContext, problem: FormProblem): string {
  // A new cart refuses a variant the store does not sell in a 422 whose line says not_found.
  if (problem.code === 'not_found' || problem.items.some((item) => item.code === 'not_found'))
    return ctx.tr('cart.itemGone');
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

/** Only paths inside this store: a form's `back` must never send the customer elsewhere. */
function safeBack(ctx: StoreContext, back: string | undefined): string {
  const home = ctx.href();
  if (!back) return home;
  const inStore = ctx.base
    ? back === ctx.base || back.startsWith(`${ctx.base}/`) || back.startsWith(`${ctx.base}?`)
    : back.startsWith('/') && !back.startsWith('//');
  return inStore && !/[\\\s]/.test(back) ? back : home;
}
