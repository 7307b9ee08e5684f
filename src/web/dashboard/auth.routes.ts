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
import {
  csrfField,
  field,
  formBody,
  formProblem,
  problemSummary,
  seeOther,
  setFlash,
  type FormProblem,
} from '../forms.js';
import { DASHBOARD_PATH, SIGNIN_PATH, endSession, safeReturnPath, startSession } from './context.js';
import { input } from './fields.js';
import { phoneCandidate } from './form-values.js';
import { sendDashboardPage } from './shell.js';

function phoneProblem(): FormProblem {
  return {
    status: 422,
    code: 'validation_failed',
    summary: 'Please check the highlighted fields.',
    fields: { phone: 'Enter your 10-digit mobile number, like 98765 43210.' },
    items: [],
  };
}

function phonePage(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: { phone?: string; next: string; problem?: FormProblem | null },
) {
  return sendDashboardPage(request, reply, {
    title: 'Sign in',
    pageId: 'signin',
    status: opts.problem?.status,
    main: html`<h1>Sign in to your shop</h1>
<p>We send a one-time code to your phone. New here? The same steps open your shop.</p>
${problemSummary(opts.problem)}
<form method="post" action="${SIGNIN_PATH}" novalidate data-testid="signin-form">
${csrfField(reply)}<input type="hidden" name="next" value="${opts.next}">
${input({ name: 'phone', label: 'Mobile number', type: 'tel', inputmode: 'tel', autocomplete: 'tel', value: opts.phone, problem: opts.problem, required: true, maxlength: 20, placeholder: '98765 43210', autofocus: true, testid: 'phone' })}
<p><button class="btn block" type="submit">Send code</button></p>
</form>`,
  });
}

function codePage(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: { phone: string; next: string; problem?: FormProblem | null },
) {
  return sendDashboardPage(request, reply, {
    title: 'Enter your code',
    pageId: 'signin-code',
    status: opts.problem?.status,
    main: html`<h1>Enter your code</h1>
<p>We sent a code to <strong data-testid="code-phone">${opts.phone}</strong>.</p>
${problemSummary(opts.problem)}
<form method="post" action="${SIGNIN_PATH}/code" novalidate data-testid="code-form">
${csrfField(reply)}<input type="hidden" name="phone" value="${opts.phone}"><input type="hidden" name="next" value="${opts.next}">
${input({ name: 'code', label: 'Code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]*', maxlength: 12, problem: opts.problem, required: true, autofocus: true, testid: 'code' })}
<p><button class="btn block" type="submit">Sign in</button></p>
</form>
<form method="post" action="${SIGNIN_PATH}" class="row">
${csrfField(reply)}<input type="hidden" name="phone" value="${opts.phone}"><input type="hidden" name="next" value="${opts.next}">
<button class="linkish" type="submit">Send a new code</button>
<a href="${SIGNIN_PATH}">Use another number</a>
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
    if (!phone) return phonePage(request, reply, { phone: typed, next, problem: phoneProblem() });
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
      const problem = formProblem(err, () => 'phone');
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
          summary: 'Please check the highlighted fields.',
          fields: { code: 'Enter the digits of the code we sent.' },
          items: [],
        },
      });
    }
    let token: string;
    try {
      token = (await verifyOtp(app.db, phone, code, { secret: app.config.authSecret })).token;
    } catch (err) {
      return codePage(request, reply, { phone, next, problem: formProblem(err, () => 'code') });
    }
    // A sign-in replaces whatever session the browser had.
    if (request.session) await revokeSession(app.db, request.session.sessionId);
    startSession(request, reply, token);
    return seeOther(reply, next);
  });

  app.post('/signout', csrf, async (request, reply) => {
    if (request.session) await revokeSession(app.db, request.session.sessionId);
    endSession(request, reply);
    setFlash(request, reply, 'info', 'You are signed out.');
    return seeOther(reply, SIGNIN_PATH);
  });
};
