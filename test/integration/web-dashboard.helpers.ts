/**
 * A phone without JavaScript, for the dashboard tests: a cookie jar over app.inject, forms posted urlencoded or
 * multipart with the page's CSRF token, 303s followed like a browser follows them.
 */
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';
import { uniquePhone, type TestContext } from '../helpers/app.js';
import { multipartBody as buildMultipart, type MultipartPart } from '../helpers/multipart.js';

export interface Page {
  status: number;
  body: string;
  headers: Record<string, string | string[] | number | undefined>;
  location: string | undefined;
  setCookies: string[];
}

export type Fields = Record<string, string | number | (string | number)[]>;

export interface FilePart {
  name: string;
  filename: string;
  type: string;
  bytes: Buffer;
}

export const HOSTILE = '<img src=x onerror=alert(1)>';
export const HOSTILE_ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';

export function multipartBody(fields: Fields, files: FilePart[]): { payload: Buffer; contentType: string } {
  const parts: MultipartPart[] = Object.entries(fields).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((item) => ({ name, data: String(item) })),
  );
  for (const f of files) parts.push({ name: f.name, filename: f.filename, type: f.type, data: f.bytes });
  return buildMultipart(parts);
}

/** The value of the first `_csrf` hidden field of a page (or of the form with that action). */
export function csrfOf(html: string, action?: string): string {
  let scope = html;
  if (action) {
    const at = html.indexOf(`action="${action}"`);
    if (at < 0) throw new Error(`no form with action ${action}`);
    scope = html.slice(at);
  }
  const m = /name="_csrf" value="([^"]+)"/.exec(scope);
  if (!m) throw new Error('no CSRF field on the page');
  return m[1]!;
}

export class Phone {
  readonly cookies = new Map<string, string>();
  lastPage: Page | null = null;
  constructor(
    readonly app: FastifyInstance,
    readonly headers: Record<string, string> = {},
  ) {}

  private remember(raw: string | string[] | number | undefined): string[] {
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
    for (const c of list) {
      const [pair, ...attrs] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return list;
  }

  async request(
    method: 'GET' | 'POST',
    url: string,
    payload?: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<Page> {
    const cookie = this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
    const res = await this.app.inject({
      method,
      url,
      headers: { ...this.headers, ...cookie, ...headers },
      ...(payload !== undefined ? { payload } : {}),
    });
    const page: Page = {
      status: res.statusCode,
      body: res.body,
      headers: res.headers,
      location: res.headers.location as string | undefined,
      setCookies: this.remember(res.headers['set-cookie']),
    };
    if (method === 'GET') this.lastPage = page;
    return page;
  }

  get(url: string): Promise<Page> {
    return this.request('GET', url);
  }

  /** GET, following redirects. */
  async open(url: string): Promise<Page> {
    let page = await this.get(url);
    for (let i = 0; i < 5 && page.status >= 300 && page.status < 400 && page.location; i++)
      page = await this.get(page.location);
    return page;
  }

  /** POSTs urlencoded fields; `_csrf` is taken from `from` (a page URL to load first) unless given. */
  async post(url: string, fields: Fields, opts: { from?: string; csrf?: string | null } = {}): Promise<Page> {
    const body = new URLSearchParams();
    const token = opts.csrf === undefined ? await this.tokenFor(url, opts.from) : opts.csrf;
    if (token !== null) body.append('_csrf', token);
    for (const [k, v] of Object.entries(fields))
      for (const item of Array.isArray(v) ? v : [v]) body.append(k, String(item));
    return this.request('POST', url, body.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  }

  async postMultipart(
    url: string,
    fields: Fields,
    files: FilePart[],
    opts: { from?: string; csrf?: string | null } = {},
  ): Promise<Page> {
    const token = opts.csrf === undefined ? await this.tokenFor(url, opts.from) : opts.csrf;
    const { payload, contentType } = multipartBody(token === null ? fields : { _csrf: token, ...fields }, files);
    return this.request('POST', url, payload, { 'content-type': contentType });
  }

  /** POST, then follow the 303 like a browser. */
  async submit(url: string, fields: Fields, opts: { from?: string } = {}): Promise<Page> {
    const posted = await this.post(url, fields, opts);
    if (posted.status !== 303 || !posted.location) return posted;
    return this.open(posted.location);
  }

  private async tokenFor(action: string, from?: string): Promise<string> {
    const page = from ? await this.get(from) : this.lastPage;
    if (!page) throw new Error('load a page with the form first');
    // Tokens belong to the browser's CSRF secret, not to one form: any form's token will do when this one is not on the page.
    const formAction = action.split('?')[0]!;
    return page.body.includes(`action="${formAction}"`) ? csrfOf(page.body, formAction) : csrfOf(page.body);
  }
}

/** Signs in through the pages: phone → code (from the test OTP channel) → the session cookie. */
export async function signInWithForms(
  ctx: TestContext,
  phone = uniquePhone(),
  ip = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
): Promise<Phone> {
  const browser = new Phone(ctx.app, { 'x-forwarded-for': ip });
  await browser.get('/dashboard/signin');
  const sent = await browser.post('/dashboard/signin', { phone });
  if (sent.status !== 303) throw new Error(`signin failed: ${sent.status} ${sent.body.slice(0, 500)}`);
  await browser.get(sent.location!);
  const code = ctx.sentCodes.get(phone)!.at(-1)!;
  const verified = await browser.post('/dashboard/signin/code', { phone, code });
  if (verified.status !== 303) throw new Error(`verify failed: ${verified.status} ${verified.body.slice(0, 500)}`);
  return browser;
}

/** Signs in and opens a shop through the onboarding form; returns the browser and the store id. */
export async function ownerWithShop(
  ctx: TestContext,
  name = `Shop ${Math.random().toString(36).slice(2, 8)}`,
): Promise<{ browser: Phone; storeId: string; base: string }> {
  const browser = await signInWithForms(ctx);
  const created = await browser.post('/dashboard/new', { name, whatsapp: '', slug: '' }, { from: '/dashboard/new' });
  const m = /^\/dashboard\/stores\/([0-9a-f-]{36})\/welcome$/.exec(created.location ?? '');
  if (created.status !== 303 || !m)
    throw new Error(`onboarding failed: ${created.status} ${created.body.slice(0, 500)}`);
  return { browser, storeId: m[1]!, base: `/dashboard/stores/${m[1]!}` };
}

export const pngOf = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 240, g: 160, b: 30 } } })
    .png()
    .toBuffer();

/** The session token in the browser's cookie (to call the API as the same merchant). */
export const sessionToken = (browser: Phone): string => browser.cookies.get('dukaan_session')!;

/** Everything between a tag's testid and the end of that element's line: enough for simple assertions. */
export function textOf(html: string, testid: string): string {
  const at = html.indexOf(`data-testid="${testid}"`);
  if (at < 0) return '';
  const start = html.indexOf('>', at) + 1;
  return html.slice(start, html.indexOf('<', start));
}
