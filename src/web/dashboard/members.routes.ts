/**
 * Staff (owner only): invite a person by phone — they sign in with their own number and see this store —, the
 * list of who works here, and removing someone. Staff asking for these pages get the 403 page, as the API
 * answers them 403; the tab is not shown to them (shell.ts).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { inviteStaff, listMembers, removeMember } from '../../members/members.service.js';
import { normalizeE164 } from '../../shared/phone.js';
import { AppError, forbidden, validationFailed } from '../../shared/errors.js';
import type { StoreRow } from '../../stores/stores.service.js';
import { html } from '../html.js';
import { csrfField, field, formBody, problemSummary, seeOther, setFlash, type FormProblem } from '../forms.js';
import { currentStore, storePath, trOf, pageProblem } from './context.js';
import { input } from './fields.js';
import { phoneCandidate } from './form-values.js';
import { sendDashboardPage } from './shell.js';

function ownerOnly(request: FastifyRequest): StoreRow {
  if (request.storeRole !== 'owner') throw forbidden('Only the store owner can manage staff');
  return currentStore(request);
}

async function render(
  request: FastifyRequest,
  reply: FastifyReply,
  store: StoreRow,
  failed: { phone: string; problem: FormProblem } | null,
) {
  const tr = trOf(request);
  const members = await listMembers(request.server.db, store.id);
  const base = storePath(store.id, '/members');
  return sendDashboardPage(request, reply, {
    title: tr('dashboard.members.title'),
    pageId: 'members',
    store,
    section: 'members',
    status: failed?.problem.status,
    main: html`<h1>${tr('dashboard.members.title')}</h1>
<p>${tr('dashboard.members.intro')}</p>
<ul class="lines" data-testid="member-list">${members.map(
      (m) => html`<li class="line" data-testid="member-row">
<div><strong>${m.phone}</strong>${m.name ? html` · ${m.name}` : ''}
<p class="small"><span class="badge">
${m.role === 'owner' ? tr('dashboard.members.owner') : tr('dashboard.members.staff')}</span></p></div>
${
  m.role === 'staff'
    ? html`<form method="post" action="${base}/${m.merchantId}/remove">${csrfField(reply)}
<button class="btn secondary" type="submit" data-testid="remove-member">
${tr('dashboard.members.remove', { phone: m.phone })}</button></form>`
    : ''
}
</li>`,
    )}</ul>
<section class="panel" aria-labelledby="invite-title">
<h2 id="invite-title">${tr('dashboard.members.invite')}</h2>
<p class="small">${tr('dashboard.members.inviteHint')}</p>
${problemSummary(failed?.problem)}
<form method="post" action="${base}" novalidate data-testid="invite-form">
${csrfField(reply)}
${input({
  name: 'phone',
  label: tr('dashboard.auth.phone'),
  type: 'tel',
  inputmode: 'tel',
  autocomplete: 'off',
  value: failed?.phone,
  problem: failed?.problem,
  required: true,
  maxlength: 20,
  placeholder: '98765 43210',
  testid: 'member-phone',
})}
<p><button class="btn" type="submit" data-testid="invite">${tr('dashboard.members.inviteButton')}</button></p>
</form>
</section>`,
  });
}

export const memberRoutes: FastifyPluginAsync = async (app) => {
  const csrf = { preHandler: app.csrfProtection };

  app.get('/members', async (request, reply) => render(request, reply, ownerOnly(request), null));

  app.post('/members', csrf, async (request, reply) => {
    const store = ownerOnly(request);
    const tr = trOf(request);
    const typed = field(formBody(request), 'phone', 40) ?? '';
    try {
      const phone = normalizeE164(phoneCandidate(typed));
      if (!phone)
        throw validationFailed(
          tr('dashboard.form.checkFields'),
          [{ code: 'invalid', path: '/phone', message: tr('dashboard.form.phoneInvalid') }],
          422,
        );
      const member = await inviteStaff(app.db, store.id, { phone, role: 'staff' });
      setFlash(request, reply, 'ok', tr('dashboard.members.invited', { phone: member.phone }));
      return seeOther(reply, storePath(store.id, '/members'));
    } catch (err) {
      const problem = pageProblem(request, err, () => 'phone');
      if (problem.code === 'conflict') problem.summary = tr('dashboard.members.isOwner');
      return render(request, reply, store, { phone: typed, problem });
    }
  });

  app.post<{ Params: { storeId: string; merchantId: string } }>(
    '/members/:merchantId/remove',
    csrf,
    async (request, reply) => {
      const store = ownerOnly(request);
      try {
        await removeMember(app.db, store.id, request.params.merchantId);
        setFlash(request, reply, 'ok', trOf(request)('dashboard.members.removed'));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        setFlash(request, reply, 'error', pageProblem(request, err).summary);
      }
      return seeOther(reply, storePath(store.id, '/members'));
    },
  );
};
