/**
 * Sign in with phone and code (the API's OTP service), and sign out. These pages are public; every form
 * carries a CSRF token (a forged sign-in would log the victim into the attacker's account).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { requestOtp, verifyOtp } from '../../merchants/merchants.service.js';
import { revokeSession } from '../../auth/session.js';
import { normalizeE164 } from '../../shared/phone.js';
import { AppError } from '../../shared/errors.js';
import { html } from '../html.js';
import { csrfField, field, formBody, problemSummary, seeOther, setFlash, type FormProblem } from '../forms.js';
import { DASHBOARD_PATH, SIGNIN_PATH, endSession, safeReturnPath, startSession, trOf, pageProblem } from './context.js';
import type { Translate } from '../../i18n/index.js';
import { input } from './fields.js';
import { phoneCandidate } from './form-values.js';
import { sendDashboardPage } from './shell.js';

function phoneProblem(tr: Translate): FormProblem {
  return {
    status: 422,
    code: 'validation_failed',
    summary: tr('dashboard.form.checkFields'),
    fields: { phone: tr('dashboard.auth.phoneInvalid') },
    items: [],
  };
}

function phonePage(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: { phone?: string; next: string; problem?: FormProblem | null },
) {
  const tr = trOf(request);
  return sendDashboardPage(request, reply, {
    title: tr('dashboard.auth.signInTitle'),
    pageId: 'signin',
    status: opts.problem?.status,
    main: html`<h1>${tr('dashboard.auth.signInHeading')}</h1>
<p>${tr('dashboard.auth.signInIntro')}</p>
${problemSummary(opts.problem)}
<form method="post" action="${SIGNIN_PATH}" novalidate data-testid="signin-form">
${csrfField(reply)}<input type="hidden" name="next" value="${opts.next}">
${input({
  name: 'phone',
  label: tr('dashboard.auth.phone'),
  type: 'tel',
  inputmode: 'tel',
  autocomplete: 'tel',
  value: opts.phone,
  problem: opts.problem,
  required: true,
  maxlength: 20,
  placeholder: '98765 43210',
  autofocus: true,
  testid: 'phone',
})}
<p><button class="btn block" type="submit">${tr('dashboard.auth.sendCode')}</button></p>
</form>`,
  });
}

function codePage(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: { phone: string; next: string; problem?: FormProblem | null },
) {
  const tr = trOf(request);
  return sendDashboardPage(request, reply, {
    title: tr('dashboard.auth.codeTitle'),
    pageId: 'signin-code',
    status: opts.problem?.status,
    main: html`<h1>${tr('dashboard.auth.codeTitle')}</h1>
<p>${tr('dashboard.auth.codeSent')} <strong data-testid="code-phone">${opts.phone}</strong></p>
${problemSummary(opts.problem)}
<form method="post" action="${SIGNIN_PATH}/code" novalidate data-testid="code-form">
${csrfField(reply)}<input type="hidden" name="phone" value="${opts.phone}"><input type="hidden" name="next" value="${opts.next}">
${input({
  name: 'code',
  label: tr('dashboard.auth.code'),
  inputmode: 'numeric',
  autocomplete: 'one-time-code',
  pattern: '[0-9]*',
  maxlength: 12,
  problem: opts.problem,
  required: true,
  autofocus: true,
  testid: 'code',
})}
<p><button class="btn block" type="submit">${tr('dashboard.auth.signIn')}</button></p>
</form>
<form method="post" action="${SIGNIN_PATH}" class="row">
${csrfField(reply)}<input type="hidden" name="phone" value="${opts.phone}"><input type="hidden" name="next" value="${opts.next}">
<button class="linkish" type="submit">${tr('dashboard.auth.newCode')}</button>
<a href="${SIGNIN_PATH}">${tr('dashboard.auth.otherNumber')}</a>
</form>`,
  });
}

export const authRoutes: FastifyPluginAsync = async (app) => {
  const csrf = { preHandler: app.csrfProtection };

  app.get<{ Querystring: { next?: string } }>('/signin', async (request, reply) => {
    const next = safeReturnPath(request.query.next, DASHBOARD_PATH);
    if (request.session) return seeOther(reply, next);
    return phonePage(request, reply, { next });
  });

  app.post('/signin', csrf, async (request, reply) => {
    const body = formBody(request);
    const typed = field(body, 'phone', 40) ?? '';
    const next = safeReturnPath(field(body, 'next', 500), DASHBOARD_PATH);
    const phone = normalizeE164(phoneCandidate(typed));
    if (!phone) return phonePage(request, reply, { phone: typed, next, problem: phoneProblem(trOf(request)) });
    try {
      await requestOtp(
        {
          db: app.db,
          channel: app.services.otpChannel,
          testNumbers: app.config.otpTestNumbers,
          secret: app.config.authSecret,
          log: request.log,
        },
        phone,
        request.ip,
      );
    } catch (err) {
      const problem = pageProblem(request, err, () => 'phone');
      if (err instanceof AppError && err.headers) reply.headers(err.headers);
      return phonePage(request, reply, { phone: typed, next, problem });
    }
    return seeOther(
      reply,
      `${SIGNIN_PATH}/code?phone=${encodeURIComponent(phone)}${next === DASHBOARD_PATH ? '' : `&next=${encodeURIComponent(next)}`}`,
    );
  });

  app.get<{ Querystring: { phone?: string; next?: string } }>('/signin/code', async (request, reply) => {
    const next = safeReturnPath(request.query.next, DASHBOARD_PATH);
    const phone = normalizeE164(String(request.query.phone ?? ''));
    if (!phone) return seeOther(reply, SIGNIN_PATH);
    return codePage(request, reply, { phone, next });
  });

  app.post('/signin/code', csrf, async (request, reply) => {
    const body = formBody(request);
    const next = safeReturnPath(field(body, 'next', 500), DASHBOARD_PATH);
    const phone = normalizeE164(field(body, 'phone', 40) ?? '');
    if (!phone) return seeOther(reply, SIGNIN_PATH);
    const code = (field(body, 'code', 40) ?? '').replace(/\s+/g, '');
    if (!/^\d{4,12}$/.test(code)) {
      return codePage(request, reply, {
        phone,
        next,
        problem: {
          status: 422,
          code: 'validation_failed',
          summary: trOf(request)('dashboard.form.checkFields'),
          fields: { code: trOf(request)('dashboard.auth.codeInvalid') },
          items: [],
        },
      });
    }
    let token: string;
    try {
      token = (await verifyOtp(app.db, phone, code, { secret: app.config.authSecret })).token;
    } catch (err) {
      return codePage(request, reply, { phone, next, problem: pageProblem(request, err, () => 'code') });
    }
    // A sign-in replaces whatever session the browser had.
    if (request.session) await revokeSession(app.db, request.session.sessionId);
    startSession(request, reply, token);
    return seeOther(reply, next);
  });

  app.post('/signout', csrf, async (request, reply) => {
    if (request.session) await revokeSession(app.db, request.session.sessionId);
    endSession(request, reply);
    setFlash(request, reply, 'info', trOf(request)('dashboard.auth.signedOut'));
    return seeOther(reply, SIGNIN_PATH);
  });
};
