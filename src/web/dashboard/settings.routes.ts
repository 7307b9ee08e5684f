/**
 * Store settings: name, open/closed, opening hours, WhatsApp, delivery (fee, free above, minimum order, pickup,
 * areas) and payments.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { updateStore, type StoreRow } from '../../stores/stores.service.js';
import { UpdateStoreBody } from '../../stores/stores.schema.js';
import { normalizeE164 } from '../../shared/phone.js';
import { AppError, validationFailed, type ProblemItem } from '../../shared/errors.js';
import { WEEKDAYS, type Weekday } from '../../stores/profile.js';
import { attrs, html, type Html } from '../html.js';
import {
  csrfField,
  field,
  fieldError,
  formBody,
  problemSummary,
  seeOther,
  setFlash,
  type FormBody,
  type FormProblem,
} from '../forms.js';
import { currentStore, storePath, trOf, pageProblem } from './context.js';
import type { Translate } from '../../i18n/index.js';
import { checkboxInput, input, moneyInput, textarea } from './fields.js';
import {
  checkbox,
  moneyInputValue,
  optionalText,
  parseMoney,
  parseOptionalMoney,
  phoneCandidate,
} from './form-values.js';
import { sendDashboardPage } from './shell.js';
import { confirmStoreWhatsappCode, sendStoreWhatsappCode } from '../../stores/whatsapp-verify.js';
import { requireOwnerFor } from '../../stores/membership.js';
import { assertBody } from './validate.js';
import {
  AREAS_FIELD,
  HOURS_CHOICE,
  areasText,
  closedField,
  dayField,
  formScheduleProblems,
  hoursFormFields,
  rangeNumbers,
  readAreasText,
  readHoursForm,
  scheduleFieldOf,
  timeField,
  type AreasRead,
} from './settings.forms.js';

// Room for 500 areas (the API's limit) of a PIN and a fee each; a longer field is cut, never read whole.
const AREAS_MAX_CHARS = 20_000;

/** The settings form → `UpdateStoreBody` (every field is sent: the form shows them all). */
export function readSettingsForm(
  fields: FormBody,
  currency: string,
  opts: { payments: boolean; phoneMessage?: string } = { payments: true },
): { input: Record<string, unknown>; problems: ProblemItem[]; areas: AreasRead } {
  const problems: ProblemItem[] = [];
  const delivery: Record<string, unknown> = { pickup: checkbox(field(fields, 'pickup')) };
  const input: Record<string, unknown> = {
    name: (field(fields, 'name', 1000) ?? '').trim(),
    isOpen: field(fields, 'isOpen') === '1',
    delivery,
  };
  // Where the money goes is the owner's: staff see no payment fields, and their form never sends them.
  if (opts.payments)
    input.payments = { cod: checkbox(field(fields, 'cod')), upiVpa: optionalText(field(fields, 'upiVpa', 200)) };

  const fee = parseMoney(field(fields, 'fee', 40)?.trim() || '0', currency);
  if (fee.ok) delivery.fee = fee.value;
  else problems.push({ code: 'invalid', path: '/delivery/fee', message: fee.message });
  for (const name of ['freeAbove', 'minOrder'] as const) {
    const parsed = parseOptionalMoney(field(fields, name, 40), currency);
    if (parsed.ok) delivery[name] = parsed.value;
    else problems.push({ code: 'invalid', path: `/delivery/${name}`, message: parsed.message });
  }

  const hours = readHoursForm(fields);
  if (hours.hours !== undefined) input.hours = hours.hours;
  problems.push(...hours.problems);
  const areas = readAreasText(field(fields, AREAS_FIELD, AREAS_MAX_CHARS), currency);
  if (areas.areas !== undefined) delivery.areas = areas.areas;
  problems.push(...areas.problems);

  // The chat bot switch is on the form only for the owner (the route drops it for staff).
  if (field(fields, 'whatsappBotShown') === '1') input.whatsappBot = checkbox(field(fields, 'whatsappBot'));

  const whatsappTyped = optionalText(field(fields, 'whatsapp', 40));
  if (whatsappTyped === null) input.whatsapp = null;
  else {
    const phone = normalizeE164(phoneCandidate(whatsappTyped));
    if (phone) input.whatsapp = phone;
    else
      problems.push({
        code: 'invalid',
        path: '/whatsapp',
        message: opts.phoneMessage ?? 'Enter a valid mobile number, like 98765 43210',
      });
  }
  return { input, problems, areas };
}

const settingsFieldOf = (path: string) => {
  if (path.startsWith('/payments/upiVpa')) return 'upiVpa';
  return scheduleFieldOf(path) ?? path.split('/').filter(Boolean).at(-1) ?? '';
};

// Literal keys, so that the catalog test sees each one used.
const DAY_NAMES: Record<Weekday, string> = {
  mon: 'dashboard.settings.day.mon',
  tue: 'dashboard.settings.day.tue',
  wed: 'dashboard.settings.day.wed',
  thu: 'dashboard.settings.day.thu',
  fri: 'dashboard.settings.day.fri',
  sat: 'dashboard.settings.day.sat',
  sun: 'dashboard.settings.day.sun',
};

/** One weekday: closed, or its time ranges (from–to, a second for a lunch break); its problem under it. */
function dayRow(tr: Translate, day: Weekday, values: FormBody, problem: FormProblem | null): Html {
  const name = tr(DAY_NAMES[day]);
  const error = problem?.fields[dayField(day)];
  const errorId = `hours-${day}-error`;
  const timeInput = (end: 'from' | 'to', n: number) => {
    const fieldName = timeField(day, end, n);
    const id = `f-${fieldName}`;
    const label = tr(end === 'from' ? 'dashboard.settings.spanFrom' : 'dashboard.settings.spanTo', { day: name, n });
    return html`<label class="sr-only" for="${id}">${label}</label><input${attrs({
      id,
      type: 'time',
      name: fieldName,
      value: field(values, fieldName, 20) ?? '',
      'aria-invalid': error ? 'true' : undefined,
      'aria-describedby': error ? errorId : undefined,
      'data-testid': fieldName,
    })}>`;
  };
  return html`<div class="day" role="group" aria-labelledby="day-${day}" data-testid="day-${day}">
<span class="day-name" id="day-${day}">${name}</span>
<label class="choice"><input${attrs({
    type: 'checkbox',
    name: closedField(day),
    value: '1',
    checked: field(values, closedField(day)) !== undefined,
    'data-testid': closedField(day),
  })}> ${tr('dashboard.settings.dayClosed')}</label>
${rangeNumbers(values, day).map((n) => html`<span class="span">${timeInput('from', n)}–${timeInput('to', n)}</span>`)}
${error ? html`<p class="field-error" id="${errorId}" data-testid="error-${dayField(day)}">${error}</p>` : ''}
</div>`;
}

/** The time zone in the page's words: "India Standard Time", "भारतीय मानक समय" (not "Asia/Kolkata"). */
function zoneName(lang: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat(lang, { timeZone, timeZoneName: 'long' }).formatToParts(new Date());
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/**
 * Opening hours: none (open whenever orders are taken) or by weekday. The days hide while "no hours" is chosen, and
 * a closed day's times while it is ticked (CSS :has, no script); hidden fields still post, so nothing typed is lost.
 */
function hoursFieldset(
  tr: Translate,
  lang: string,
  values: FormBody,
  problem: FormProblem | null,
  timeZone: string,
): Html {
  const set = field(values, HOURS_CHOICE) === 'set';
  return html`<fieldset class="hours" data-testid="hours"><legend>${tr('dashboard.settings.hours')}</legend>
<label class="choice"><input type="radio" name="${HOURS_CHOICE}" value="always"${attrs({ checked: !set })}
 data-testid="hours-always"> ${tr('dashboard.settings.hoursAlways')}</label>
<label class="choice"><input type="radio" name="${HOURS_CHOICE}" value="set"${attrs({ checked: set })}
 data-testid="hours-set"> ${tr('dashboard.settings.hoursSet')}</label>
${fieldError(problem, HOURS_CHOICE)}
<div class="days">
<p class="small muted">${tr('dashboard.settings.hoursHint', { zone: zoneName(lang, timeZone) })}</p>
${WEEKDAYS.map((day) => dayRow(tr, day, values, problem))}
</div>
</fieldset>`;
}

/** The WhatsApp chat bot switch (owner only): off, chat messages are left for the owner's own WhatsApp app. */
function botFieldset(tr: Translate, store: StoreRow, checked: boolean) {
  const connected = store.whatsapp_phone_number_id
    ? html`<p class="small muted" data-testid="whatsapp-connected">${tr('dashboard.settings.botConnected', {
        id: store.whatsapp_phone_number_id,
      })}</p>`
    : html`<p class="small muted">${tr('dashboard.settings.botShared')}</p>`;
  return html`<fieldset><legend>${tr('dashboard.settings.botTitle')}</legend>
<input type="hidden" name="whatsappBotShown" value="1">
${checkboxInput({
  name: 'whatsappBot',
  label: tr('dashboard.settings.botLabel'),
  checked,
  testid: 'whatsapp-bot',
  hint: tr('dashboard.settings.botHint'),
})}
${connected}
</fieldset>`;
}

function render(
  request: FastifyRequest,
  reply: FastifyReply,
  store: StoreRow,
  failed: { values: FormBody; problem: FormProblem } | null,
) {
  const problem = failed?.problem ?? null;
  const values = failed?.values ?? null;
  const cur = store.currency;
  const v = (name: string, stored: string) => (values ? (field(values, name) ?? '') : stored);
  const on = (name: string, stored: boolean) => (values ? field(values, name) !== undefined : stored);
  const isOpen = values ? field(values, 'isOpen') === '1' : store.is_open;
  // The typed hours when the form came back with a problem (and carried them), else the saved ones.
  const hoursValues = values && field(values, HOURS_CHOICE) !== undefined ? values : hoursFormFields(store.hours);
  const areasValue = values
    ? (field(values, AREAS_FIELD, AREAS_MAX_CHARS) ?? '')
    : areasText(store.delivery_areas, cur);
  const tr: Translate = trOf(request);
  const owner = request.storeRole === 'owner';
  return sendDashboardPage(request, reply, {
    title: tr('dashboard.nav.settings'),
    pageId: 'settings',
    store,
    section: 'settings',
    status: problem?.status,
    main: html`<h1>${tr('dashboard.nav.settings')}</h1>
${problemSummary(problem)}
<form method="post" action="${storePath(store.id, '/settings')}" novalidate data-testid="settings-form">
${csrfField(reply)}
<fieldset><legend>${tr('dashboard.settings.shop')}</legend>
${input({
  name: 'name',
  label: tr('dashboard.home.shopName'),
  value: v('name', store.name),
  problem,
  maxlength: 100,
  required: true,
})}
<p class="small muted">${tr('dashboard.settings.link', { slug: store.slug })}</p>
<fieldset><legend>${tr('dashboard.settings.taking')}</legend>
<label class="choice"><input type="radio" name="isOpen" value="1"${attrs({ checked: isOpen })}
 data-testid="open"> ${tr('dashboard.home.open')}</label>
<label class="choice"><input type="radio" name="isOpen" value="0"${attrs({ checked: !isOpen })}
 data-testid="closed"> ${tr('dashboard.settings.closedHint')}</label>
</fieldset>
${input({
  name: 'whatsapp',
  label: tr('dashboard.settings.whatsapp'),
  type: 'tel',
  inputmode: 'tel',
  value: v('whatsapp', store.whatsapp ?? ''),
  problem,
  maxlength: 20,
  hint: tr('dashboard.settings.whatsappHint'),
})}
</fieldset>
${hoursFieldset(tr, request.dashboardLang, hoursValues, problem, store.time_zone)}
${request.storeRole === 'owner' ? botFieldset(tr, store, on('whatsappBot', store.whatsapp_bot)) : ''}
<fieldset><legend>${tr('dashboard.settings.delivery')}</legend>
${moneyInput({
  name: 'fee',
  label: tr('dashboard.settings.fee'),
  value: v('fee', moneyInputValue(store.delivery_fee, cur)),
  problem,
  currency: cur,
  testid: 'fee',
})}
${moneyInput({
  name: 'freeAbove',
  label: tr('dashboard.settings.freeAbove'),
  value: v('freeAbove', moneyInputValue(store.free_above, cur)),
  problem,
  currency: cur,
})}
${moneyInput({
  name: 'minOrder',
  label: tr('dashboard.settings.minOrder'),
  value: v('minOrder', moneyInputValue(store.min_order, cur)),
  problem,
  currency: cur,
})}
${checkboxInput({ name: 'pickup', label: tr('dashboard.settings.pickup'), checked: on('pickup', store.pickup) })}
${textarea({
  name: AREAS_FIELD,
  label: tr('dashboard.settings.areas'),
  value: areasValue,
  problem,
  rows: 4,
  maxlength: AREAS_MAX_CHARS,
  testid: 'areas',
  hint: tr('dashboard.settings.areasHint', { unit: cur === 'INR' ? '₹' : cur }),
})}
</fieldset>
${
  owner
    ? html`<fieldset data-testid="payment-settings"><legend>${tr('dashboard.settings.payments')}</legend>
${checkboxInput({ name: 'cod', label: tr('dashboard.settings.cod'), checked: on('cod', store.cod) })}
${input({
  name: 'upiVpa',
  label: tr('dashboard.settings.upi'),
  value: v('upiVpa', store.upi_vpa ?? ''),
  problem,
  maxlength: 100,
  autocomplete: 'off',
  placeholder: 'yourname@okbank',
  hint: tr('dashboard.settings.upiHint'),
})}
</fieldset>`
    : ''
}
<p><button class="btn block" type="submit" data-testid="save-settings">${tr('dashboard.settings.save')}</button></p>
</form>
${whatsappPanel(request, reply, store)}`,
  });
}

/**
 * The store's WhatsApp number receives order messages only once verified: until then they go to the owner's phone.
 * The owner sends a code to the number and types it back here.
 */
function whatsappPanel(request: FastifyRequest, reply: FastifyReply, store: StoreRow) {
  if (!store.whatsapp) return '';
  const tr = trOf(request);
  const phone = store.whatsapp;
  if (store.whatsapp_verified_at)
    return html`<p class="small" data-testid="whatsapp-verified">${tr('dashboard.settings.whatsappVerified', {
      phone,
    })}</p>`;
  const owner = request.storeRole === 'owner';
  const action = (tail: string) => storePath(store.id, `/settings/whatsapp/${tail}`);
  return html`<section class="panel" aria-labelledby="wa-title" data-testid="whatsapp-unverified">
<h2 id="wa-title">${tr('dashboard.settings.verifyTitle')}</h2>
<p>${tr('dashboard.settings.verifyIntro', { phone })}</p>
${
  owner
    ? html`<form method="post" action="${action('send')}">${csrfField(reply)}
<button class="btn secondary" type="submit" data-testid="whatsapp-send-code">
${tr('dashboard.settings.sendCode', { phone })}</button></form>
<form method="post" action="${action('confirm')}">${csrfField(reply)}
<label for="wa-code">${tr('dashboard.settings.code')}</label>
<input id="wa-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6"
 data-testid="whatsapp-code">
<p><button class="btn" type="submit"
 data-testid="whatsapp-confirm">${tr('dashboard.settings.verify')}</button></p></form>`
    : html`<p class="small">${tr('dashboard.settings.ownerOnlyVerify')}</p>`
}
</section>`;
}

export const settingsRoutes: FastifyPluginAsync = async (app) => {
  app.get('/settings', async (request, reply) => render(request, reply, currentStore(request), null));

  app.post('/settings', { preHandler: app.csrfProtection }, async (request, reply) => {
    const store = currentStore(request);
    const values = formBody(request);
    const tr = trOf(request);
    const { input, problems, areas } = readSettingsForm(values, store.currency, {
      payments: request.storeRole === 'owner',
      phoneMessage: tr('dashboard.form.phoneInvalid'),
    });
    try {
      if (request.storeRole !== 'owner') delete input.whatsappBot;
      assertBody(UpdateStoreBody, input, problems);
      await updateStore(app.db, store.id, input, app.config, request.session!.merchant.id);
      setFlash(request, reply, 'ok', tr('dashboard.settings.saved'));
      return seeOther(reply, storePath(store.id, '/settings'));
    } catch (err) {
      // The hours' and areas' problems said for the form: the areas' line, how to write a day's times.
      const worded =
        err instanceof AppError && err.code === 'validation_failed' && err.errors
          ? validationFailed(err.message, formScheduleProblems(err.errors, areas), err.status === 422 ? 422 : 400)
          : err;
      return render(request, reply, store, { values, problem: pageProblem(request, worded, settingsFieldOf) });
    }
  });

  const owner = { preHandler: app.csrfProtection, config: { ownerOnly: true } };
  app.post('/settings/whatsapp/send', owner, async (request, reply) => {
    const store = currentStore(request);
    requireOwnerFor(request);
    try {
      const sent = await sendStoreWhatsappCode(
        { db: app.db, channel: app.services.otpChannel, secret: app.config.authSecret, log: request.log },
        store.id,
      );
      setFlash(request, reply, 'ok', trOf(request)('dashboard.settings.codeSent', { phone: sent.sentTo }));
    } catch (err) {
      setFlash(request, reply, 'error', pageProblem(request, err).summary);
    }
    return seeOther(reply, storePath(store.id, '/settings'));
  });
  app.post('/settings/whatsapp/confirm', owner, async (request, reply) => {
    const store = currentStore(request);
    requireOwnerFor(request);
    try {
      const code = field(formBody(request), 'code', 10) ?? '';
      await confirmStoreWhatsappCode(app.db, store.id, code, app.config.authSecret);
      setFlash(request, reply, 'ok', trOf(request)('dashboard.settings.verified'));
    } catch (err) {
      setFlash(request, reply, 'error', pageProblem(request, err).summary);
    }
    return seeOther(reply, storePath(store.id, '/settings'));
  });
};
