/**
 * The one fake browser of the integration tests, for the server-rendered pages over app.inject, without
 * JavaScript: a cookie jar, GETs that can follow redirects, forms posted urlencoded or multipart (with the page's
 * CSRF token when the page has one, as the dashboard's forms do), 303s followed like a browser follows them.
 * Real browsers (Chromium) are in test/helpers/browser.ts.
 */
import type { FastifyInstance } from 'fastify';
import { multipartBody } from './multipart.js';

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

export interface PostOptions {
  /** The `_csrf` token to send; null sends none. Default: the token on the form's page, when it has one. */
  csrf?: string | null;
  /** A page to load first for the token (default: the last page loaded). */
  from?: string;
  headers?: Record<string, string>;
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

export function formEncode(fields: Fields): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) p.append(k, String(item));
  return p.toString();
}

export class WebClient {
  readonly cookies = new Map<string, string>();
  /** The last page loaded with GET (its forms' CSRF token is what `post` sends by default). */
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
    opts: { payload?: string | Buffer; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const cookie = this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
    const res = await this.app.inject({
      method,
      url,
      headers: { ...this.headers, ...cookie, ...opts.headers },
      ...(opts.payload !== undefined ? { payload: opts.payload } : {}),
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

  get(url: string, headers?: Record<string, string>): Promise<Page> {
    return this.request('GET', url, { headers });
  }

  /** GET, following redirects. */
  async open(url: string): Promise<Page> {
    let page = await this.get(url);
    for (let i = 0; i < 5 && page.status >= 300 && page.status < 400 && page.location; i++)
      page = await this.get(page.location);
    return page;
  }

  /** POSTs the fields urlencoded, with the form's CSRF token (see PostOptions). */
  async post(url: string, fields: Fields = {}, opts: PostOptions = {}): Promise<Page> {
    const token = opts.csrf === undefined ? await this.tokenFor(url, opts.from) : opts.csrf;
    const body = formEncode(token === null ? fields : { _csrf: token, ...fields });
    return this.request('POST', url, {
      payload: body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...opts.headers },
    });
  }

  /** POSTs fields and files as multipart/form-data, with the form's CSRF token (see PostOptions). */
  async postMultipart(url: string, fields: Fields, files: FilePart[], opts: PostOptions = {}): Promise<Page> {
    const token = opts.csrf === undefined ? await this.tokenFor(url, opts.from) : opts.csrf;
    const all: Fields = token === null ? fields : { _csrf: token, ...fields };
    const { payload, contentType } = multipartBody([
      ...Object.entries(all).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value]).map((item) => ({ name, data: String(item) })),
      ),
      ...files.map((f) => ({ name: f.name, filename: f.filename, type: f.type, data: f.bytes })),
    ]);
    return this.request('POST', url, { payload, headers: { 'content-type': contentType, ...opts.headers } });
  }

  /** POST, then follow a 303 like a browser does. */
  async submit(url: string, fields: Fields = {}, opts: PostOptions = {}): Promise<{ post: Page; page: Page }> {
    const post = await this.post(url, fields, opts);
    if (post.status !== 303 || !post.location) return { post, page: post };
    return { post, page: await this.open(post.location) };
  }

  /** The token of the form posting to `action` on its page (or of any form there: one secret per browser). */
  private async tokenFor(action: string, from?: string): Promise<string | null> {
    const page = from ? await this.get(from) : this.lastPage;
    if (!page?.body.includes('name="_csrf"')) return null;
    const formAction = action.split('?')[0]!;
    return page.body.includes(`action="${formAction}"`) ? csrfOf(page.body, formAction) : csrfOf(page.body);
  }
}
