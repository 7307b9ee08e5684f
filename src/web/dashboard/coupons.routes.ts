/**
 * Coupons: list, create, edit, switch off, delete. The rules (percent 1..100, unique codes, limits) are the
 * service's.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createCoupon, deleteCoupon, getCoupon, listCoupons, updateCoupon } from '../../coupons/coupons.service.js';
import { CreateCouponBody, UpdateCouponBody, type Coupon } from '../../coupons/coupons.schema.js';
import type { ProblemItem } from '../../shared/errors.js';
import type { StoreRow } from '../../stores/stores.service.js';
import { html, type Html } from '../html.js';
import {
  csrfField,
  field,
  formBody,
  problemSummary,
  seeOther,
  setFlash,
  type FormBody,
  type FormProblem,
} from '../forms.js';
import { formatMoney } from '../../shared/money.js';
import { currentStore, storePath, trOf, pageProblem } from './context.js';
import { translator, type Translate } from '../../i18n/index.js';
import { checkboxInput, input, moneyInput, select } from './fields.js';
import {
  checkbox,
  moneyInputValue,
  parseInteger,
  parseMoney,
  parseOptionalInteger,
  parseOptionalMoney,
  type Parsed,
} from './form-values.js';
import { sendDashboardPage } from './shell.js';
import { assertBody } from './validate.js';

/** Coupons end at the close of the chosen day, India time (the dashboard's owners are in India). */
export const COUPON_DAY_END_OFFSET = '+05:30';
const OFFSET_MS = 330 * 60_000;

/** `2025-12-31` → `2025-12-31T23:59:59.999+05:30`; null for an empty field; an error for anything else. */
export function couponExpiryFromDate(text: string | undefined): Parsed<string | null> {
  const value = text?.trim() ?? '';
  if (value === '') return { ok: true, value: null };
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const iso = `${value}T23:59:59.999${COUPON_DAY_END_OFFSET}`;
  if (
    !m ||
    Number.isNaN(Date.parse(iso)) ||
    new Date(Date.parse(`${value}T00:00:00Z`)).toISOString().slice(0, 10) !== value
  ) {
    return { ok: false, message: 'Enter a date like 2025-12-31' };
  }
  return { ok: true, value: iso };
}

/** The day (India time) a stored expiry falls on, for the date input. */
export function couponExpiryDate(expiresAt: string | null): string {
  return expiresAt ? new Date(Date.parse(expiresAt) + OFFSET_MS).toISOString().slice(0, 10) : '';
}

/** The coupon form → `CreateCouponBody` / `UpdateCouponBody`. The value is a percent or an amount, by type. */
export function readCouponForm(
  fields: FormBody,
  currency: string,
): { input: Record<string, unknown>; problems: ProblemItem[] } {
  const input: Record<string, unknown> = {};
  const problems: ProblemItem[] = [];
  const put = <T>(path: string, parsed: Parsed<T>) => {
    if (parsed.ok) input[path.slice(1)] = parsed.value;
    else problems.push({ code: 'invalid', path, message: parsed.message });
  };
  input.code = (field(fields, 'code', 200) ?? '').trim();
  const type = field(fields, 'type', 20);
  input.type = type;
  const value = field(fields, 'value', 40) ?? '';
  if (type === 'percent') put('/value', parseInteger(value, { min: 1, max: 100 }));
  else if (type === 'flat') put('/value', parseMoney(value, currency));
  put('/minOrder', parseOptionalMoney(field(fields, 'minOrder', 40), currency));
  put('/maxDiscount', parseOptionalMoney(field(fields, 'maxDiscount', 40), currency));
  put('/usageLimit', parseOptionalInteger(field(fields, 'usageLimit', 20), { min: 1, max: 1_000_000_000 }));
  const expiry = couponExpiryFromDate(field(fields, 'expiresOn', 40));
  if (expiry.ok) input.expiresAt = expiry.value;
  else problems.push({ code: 'invalid', path: '/expiresOn', message: expiry.message });
  input.isActive = checkbox(field(fields, 'isActive'));
  return { input, problems };
}

const couponFieldOf = (path: string) =>
  path === '/expiresAt' ? 'expiresOn' : (path.split('/').filter(Boolean)[0] ?? '');

export function couponTerms(c: Coupon, currency: string, tr: Translate = translator('en')): string {
  const money = (n: number) => formatMoney(n, currency, { trimZeroFraction: true });
  const cap = c.maxDiscount !== null ? ` ${tr('dashboard.coupons.upTo', { amount: money(c.maxDiscount) })}` : '';
  const off =
    c.type === 'percent'
      ? `${tr('dashboard.coupons.percentOff', { value: c.value })}${cap}`
      : tr('dashboard.coupons.amountOff', { amount: money(c.value) });
  return `${off}${c.minOrder !== null ? ` ${tr('dashboard.coupons.onOrMore', { amount: money(c.minOrder) })}` : ''}`;
}

function couponForm(
  reply: FastifyReply,
  store: StoreRow,
  opts: {
    action: string;
    coupon: Coupon | null;
    values: FormBody | null;
    problem: FormProblem | null;
    submit: string;
    tr: Translate;
  },
): Html {
  const { coupon, values, problem, tr } = opts;
  const cur = store.currency;
  const v = (name: string, stored: string) => (values ? (field(values, name) ?? '') : stored);
  const storedValue = coupon
    ? coupon.type === 'percent'
      ? String(coupon.value)
      : moneyInputValue(coupon.value, cur)
    : '';
  return html`${problemSummary(problem)}
<form method="post" action="${opts.action}" novalidate data-testid="coupon-form">
${csrfField(reply)}
${input({
  name: 'code',
  label: tr('dashboard.auth.code'),
  value: v('code', coupon?.code ?? ''),
  problem,
  required: true,
  maxlength: 40,
  autocomplete: 'off',
  hint: tr('dashboard.coupons.codeHint'),
  testid: 'coupon-code',
})}
${select({
  name: 'type',
  label: tr('dashboard.orders.discount'),
  value: v('type', coupon?.type ?? 'percent'),
  problem,
  options: [
    { value: 'percent', label: tr('dashboard.coupons.typePercent') },
    { value: 'flat', label: tr('dashboard.coupons.typeAmount') },
  ],
})}
${input({
  name: 'value',
  label: tr('dashboard.coupons.value'),
  inputmode: 'decimal',
  value: v('value', storedValue),
  problem,
  required: true,
  maxlength: 20,
  hint: tr('dashboard.coupons.valueHint'),
  testid: 'coupon-value',
})}
${moneyInput({
  name: 'minOrder',
  label: tr('dashboard.settings.minOrder'),
  value: v('minOrder', moneyInputValue(coupon?.minOrder, cur)),
  problem,
  currency: cur,
})}
${moneyInput({
  name: 'maxDiscount',
  label: tr('dashboard.coupons.maxDiscount'),
  value: v('maxDiscount', moneyInputValue(coupon?.maxDiscount, cur)),
  problem,
  currency: cur,
})}
${input({
  name: 'usageLimit',
  label: tr('dashboard.coupons.usageLimit'),
  inputmode: 'numeric',
  value: v('usageLimit', coupon?.usageLimit === null || !coupon ? '' : String(coupon.usageLimit)),
  problem,
  maxlength: 10,
})}
${input({
  name: 'expiresOn',
  label: tr('dashboard.coupons.lastDay'),
  type: 'date',
  value: v('expiresOn', couponExpiryDate(coupon?.expiresAt ?? null)),
  problem,
  hint: tr('dashboard.coupons.lastDayHint'),
})}
${checkboxInput({
  name: 'isActive',
  label: tr('dashboard.coupons.active'),
  checked: values ? field(values, 'isActive') !== undefined : (coupon?.isActive ?? true),
})}
<p><button class="btn" type="submit" data-testid="save-coupon">${opts.submit}</button></p>
</form>`;
}

async function listPage(
  request: FastifyRequest,
  reply: FastifyReply,
  store: StoreRow,
  failed: { values: FormBody; problem: FormProblem } | null,
) {
  const cursor = (request.query as { cursor?: unknown }).cursor;
  const page = await listCoupons(request.server.db, store.id, {
    limit: 50,
    cursor: typeof cursor === 'string' ? cursor.slice(0, 500) : undefined,
  });
  const base = storePath(store.id, '/coupons');
  const tr = trOf(request);
  const headings = [
    'dashboard.auth.code',
    'dashboard.orders.discount',
    'dashboard.coupons.used',
    'dashboard.coupons.until',
  ].map((key) => tr(key));
  const offBadge = html` <span class="badge">${tr('dashboard.coupons.off')}</span>`;
  const pager = page.nextCursor
    ? html`<p class="pager"><a class="btn secondary"
 href="${base}?cursor=${page.nextCursor}">${tr('dashboard.coupons.more')}</a></p>`
    : '';
  const kept = { values: failed?.values ?? null, problem: failed?.problem ?? null };
  return sendDashboardPage(request, reply, {
    title: tr('dashboard.nav.coupons'),
    pageId: 'coupons',
    store,
    section: 'coupons',
    status: failed?.problem.status,
    main: html`<h1>${tr('dashboard.nav.coupons')}</h1>
${
  page.items.length === 0
    ? html`<p>${tr('dashboard.coupons.none')}</p>`
    : html`<div class="table-wrap"><table class="table" data-testid="coupon-list">
<thead><tr>${headings.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${page.items.map(
        (c) => html`<tr data-testid="coupon-row">
<td><a href="${base}/${c.id}">${c.code}</a>${c.isActive ? '' : offBadge}</td>
<td>${couponTerms(c, store.currency, tr)}</td>
<td>${c.usedCount}${c.usageLimit !== null ? ` / ${c.usageLimit}` : ''}</td>
<td>${couponExpiryDate(c.expiresAt) || '—'}</td>
</tr>`,
      )}</tbody></table></div>`
}
${pager}
<section class="panel" aria-labelledby="new-coupon"><h2 id="new-coupon">${tr('dashboard.coupons.new')}</h2>
${couponForm(reply, store, { action: base, coupon: null, ...kept, submit: tr('dashboard.coupons.create'), tr })}
</section>`,
  });
}

async function editPage(
  request: FastifyRequest,
  reply: FastifyReply,
  store: StoreRow,
  coupon: Coupon,
  failed: { values: FormBody; problem: FormProblem } | null,
) {
  const base = storePath(store.id, `/coupons/${coupon.id}`);
  const tr = trOf(request);
  const used = tr('dashboard.coupons.usedTimes', { used: coupon.usedCount, limit: coupon.usageLimit ?? 'none' });
  const kept = { values: failed?.values ?? null, problem: failed?.problem ?? null };
  return sendDashboardPage(request, reply, {
    title: tr('dashboard.coupons.title', { code: coupon.code }),
    pageId: 'coupon-edit',
    store,
    section: 'coupons',
    status: failed?.problem.status,
    main: html`<p class="small"><a href="${storePath(store.id, '/coupons')}">← ${tr('dashboard.nav.coupons')}</a></p>
<h1>${tr('dashboard.coupons.title', { code: coupon.code })}</h1>
<p>${couponTerms(coupon, store.currency, tr)} · ${used}</p>
${couponForm(reply, store, { action: base, coupon, ...kept, submit: tr('dashboard.coupons.save'), tr })}
<form method="post" action="${base}/delete" class="panel">${csrfField(reply)}
<p class="small">${tr('dashboard.coupons.deleteHint')}</p><button class="btn danger" type="submit"
 data-testid="delete-coupon">${tr('dashboard.coupons.delete', { code: coupon.code })}</button></form>`,
  });
}

export const couponRoutes: FastifyPluginAsync = async (app) => {
  const csrf = { preHandler: app.csrfProtection };
  type Params = { storeId: string; couponId: string };

  app.get('/coupons', async (request, reply) => listPage(request, reply, currentStore(request), null));

  app.post('/coupons', csrf, async (request, reply) => {
    const store = currentStore(request);
    const values = formBody(request);
    try {
      const { input, problems } = readCouponForm(values, store.currency);
      assertBody(CreateCouponBody, input, problems);
      const coupon = await createCoupon(app.db, store.id, input);
      setFlash(request, reply, 'ok', trOf(request)('dashboard.coupons.created', { code: coupon.code }));
      return seeOther(reply, storePath(store.id, '/coupons'));
    } catch (err) {
      return listPage(request, reply, store, { values, problem: pageProblem(request, err, couponFieldOf) });
    }
  });

  app.get<{ Params: Params }>('/coupons/:couponId', async (request, reply) => {
    const store = currentStore(request);
    return editPage(request, reply, store, await getCoupon(app.db, store.id, request.params.couponId), null);
  });

  app.post<{ Params: Params }>('/coupons/:couponId', csrf, async (request, reply) => {
    const store = currentStore(request);
    const coupon = await getCoupon(app.db, store.id, request.params.couponId);
    const values = formBody(request);
    try {
      const { input, problems } = readCouponForm(values, store.currency);
      assertBody(UpdateCouponBody, input, problems);
      const saved = await updateCoupon(app.db, store.id, coupon.id, input);
      setFlash(request, reply, 'ok', trOf(request)('dashboard.coupons.saved', { code: saved.code }));
      return seeOther(reply, storePath(store.id, '/coupons'));
    } catch (err) {
      return editPage(request, reply, store, coupon, { values, problem: pageProblem(request, err, couponFieldOf) });
    }
  });

  app.post<{ Params: Params }>('/coupons/:couponId/delete', csrf, async (request, reply) => {
    const store = currentStore(request);
    const coupon = await getCoupon(app.db, store.id, request.params.couponId);
    await deleteCoupon(app.db, store.id, coupon.id);
    setFlash(request, reply, 'ok', trOf(request)('dashboard.coupons.deleted', { code: coupon.code }));
    return seeOther(reply, storePath(store.id, '/coupons'));
  });
};
