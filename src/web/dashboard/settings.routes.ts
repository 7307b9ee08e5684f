/** Store settings: name, open/closed, WhatsApp, delivery (fee, free above, minimum order, pickup) and payments. */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { updateStore, type StoreRow } from '../../stores/stores.service.js';
import { UpdateStoreBody } from '../../stores/stores.schema.js';
import { normalizeE164 } from '../../shared/phone.js';
import type { ProblemItem } from '../../shared/errors.js';
import { html } from '../html.js';
import {
  csrfField,
  field,
  formBody,
  formProblem,
  problemSummary,
  seeOther,
  setFlash,
  type FormBody,
  type FormProblem,
} from '../forms.js';
import { currentStore, storePath } from './context.js';
import { checkboxInput, input, moneyInput } from './fields.js';
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

/** The settings form → `UpdateStoreBody` (every field is sent: the form shows them all). */
export function readSettingsForm(
  fields: FormBody,
  currency: string,
): { input: Record<string, unknown>; problems: ProblemItem[] } {
  const problems: ProblemItem[] = [];
  const delivery: Record<string, unknown> = { pickup: checkbox(field(fields, 'pickup')) };
  const payments: Record<string, unknown> = {
    cod: checkbox(field(fields, 'cod')),
    upiVpa: optionalText(field(fields, 'upiVpa', 200)),
  };
  const input: Record<string, unknown> = {
    name: (field(fields, 'name', 1000) ?? '').trim(),
    isOpen: field(fields, 'isOpen') === '1',
    delivery,
    payments,
  };

  const fee = parseMoney(field(fields, 'fee', 40)?.trim() || '0', currency);
  if (fee.ok) delivery.fee = fee.value;
  else problems.push({ code: 'invalid', path: '/delivery/fee', message: fee.message });
  for (const name of ['freeAbove', 'minOrder'] as const) {
    const parsed = parseOptionalMoney(field(fields, name, 40), currency);
    if (parsed.ok) delivery[name] = parsed.value;
    else problems.push({ code: 'invalid', path: `/delivery/${name}`, message: parsed.message });
  }

  const whatsappTyped = optionalText(field(fields, 'whatsapp', 40));
  if (whatsappTyped === null) input.whatsapp = null;
  else {
    const phone = normalizeE164(phoneCandidate(whatsappTyped));
    if (phone) input.whatsapp = phone;
    else
      problems.push({ code: 'invalid', path: '/whatsapp', message: 'Enter a valid mobile number, like 98765 43210' });
  }
  return { input, problems };
}

const settingsFieldOf = (path: string) => {
  if (path.startsWith('/payments/upiVpa')) return 'upiVpa';
  return path.split('/').filter(Boolean).at(-1) ?? '';
};

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
  return sendDashboardPage(request, reply, {
    title: 'Settings',
    pageId: 'settings',
    store,
    section: 'settings',
    status: problem?.status,
    main: html`<h1>Settings</h1>
${problemSummary(problem)}
<form method="post" action="${storePath(store.id, '/settings')}" novalidate data-testid="settings-form">
${csrfField(reply)}
<fieldset><legend>Shop</legend>
${input({ name: 'name', label: 'Shop name', value: v('name', store.name), problem, maxlength: 100, required: true })}
<p class="small muted">Link: ${store.slug} (fixed)</p>
<fieldset><legend>Taking orders?</legend>
<label class="choice"><input type="radio" name="isOpen" value="1"${isOpen ? html` checked` : ''} data-testid="open"> Open</label>
<label class="choice"><input type="radio" name="isOpen" value="0"${isOpen ? '' : html` checked`} data-testid="closed"> Closed (customers can look, not order)</label>
</fieldset>
${input({ name: 'whatsapp', label: 'WhatsApp number for customers', type: 'tel', inputmode: 'tel', value: v('whatsapp', store.whatsapp ?? ''), problem, maxlength: 20, hint: 'Leave empty to hide the chat button.' })}
</fieldset>
<fieldset><legend>Delivery</legend>
${moneyInput({ name: 'fee', label: 'Delivery fee', value: v('fee', moneyInputValue(store.delivery_fee, cur)), problem, currency: cur, testid: 'fee' })}
${moneyInput({ name: 'freeAbove', label: 'Free delivery from (optional)', value: v('freeAbove', moneyInputValue(store.free_above, cur)), problem, currency: cur })}
${moneyInput({ name: 'minOrder', label: 'Minimum order (optional)', value: v('minOrder', moneyInputValue(store.min_order, cur)), problem, currency: cur })}
${checkboxInput({ name: 'pickup', label: 'Customers may pick up at the shop', checked: on('pickup', store.pickup) })}
</fieldset>
<fieldset><legend>Payments</legend>
${checkboxInput({ name: 'cod', label: 'Cash on delivery', checked: on('cod', store.cod) })}
${input({ name: 'upiVpa', label: 'UPI ID (optional)', value: v('upiVpa', store.upi_vpa ?? ''), problem, maxlength: 100, autocomplete: 'off', placeholder: 'yourname@okbank', hint: 'Customers pay the exact amount with any UPI app.' })}
</fieldset>
<p><button class="btn block" type="submit" data-testid="save-settings">Save settings</button></p>
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
  if (store.whatsapp_verified_at)
    return html`<p class="small" data-testid="whatsapp-verified">
Order messages go to ${store.whatsapp} (verified).</p>`;
  const owner = request.storeRole === 'owner';
  const action = (tail: string) => storePath(store.id, `/settings/whatsapp/${tail}`);
  return html`<section class="panel" aria-labelledby="wa-title" data-testid="whatsapp-unverified">
<h2 id="wa-title">Verify your WhatsApp number</h2>
<p>Order messages go to your own phone until ${store.whatsapp} is verified.</p>
${
  owner
    ? html`<form method="post" action="${action('send')}">${csrfField(reply)}
<button class="btn secondary" type="submit" data-testid="whatsapp-send-code">
Send a code to ${store.whatsapp}</button></form>
<form method="post" action="${action('confirm')}">${csrfField(reply)}
<label for="wa-code">Code</label>
<input id="wa-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6"
 data-testid="whatsapp-code">
<p><button class="btn" type="submit" data-testid="whatsapp-confirm">Verify</button></p></form>`
    : html`<p class="small">Only the owner can verify it.</p>`
}
</section>`;
}

export const settingsRoutes: FastifyPluginAsync = async (app) => {
  app.get('/settings', async (request, reply) => render(request, reply, currentStore(request), null));

  app.post('/settings', { preHandler: app.csrfProtection }, async (request, reply) => {
    const store = currentStore(request);
    const values = formBody(request);
    try {
      const { input, problems } = readSettingsForm(values, store.currency);
      assertBody(UpdateStoreBody, input, problems);
      await updateStore(app.db, store.id, input, app.config, request.session!.merchant.id);
      setFlash(request, reply, 'ok', 'Settings saved.');
      return seeOther(reply, storePath(store.id, '/settings'));
    } catch (err) {
      return render(request, reply, store, { values, problem: formProblem(err, settingsFieldOf) });
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
      setFlash(request, reply, 'ok', `Code sent to ${sent.sentTo}. Type it below.`);
    } catch (err) {
      setFlash(request, reply, 'error', formProblem(err).summary);
    }
    return seeOther(reply, storePath(store.id, '/settings'));
  });
  app.post('/settings/whatsapp/confirm', owner, async (request, reply) => {
    const store = currentStore(request);
    requireOwnerFor(request);
    try {
      const code = field(formBody(request), 'code', 10) ?? '';
      await confirmStoreWhatsappCode(app.db, store.id, code, app.config.authSecret);
      setFlash(request, reply, 'ok', 'WhatsApp number verified: order messages go there now.');
    } catch (err) {
      setFlash(request, reply, 'error', formProblem(err).summary);
    }
    return seeOther(reply, storePath(store.id, '/settings'));
  });
};
