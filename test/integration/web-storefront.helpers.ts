/** A tiny browser for the server-rendered pages over app.inject: a cookie jar and form posts, no JavaScript. */
import type { FastifyInstance } from 'fastify';

export interface PageResponse {
  status: number;
  body: string;
  headers: Record<string, string | string[] | number | undefined>;
  location: string | undefined;
  setCookies: string[];
}

export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
export const HOSTILE_ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';

export function formEncode(fields: Record<string, string | number | (string | number)[]>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) p.append(k, String(item));
  return p.toString();
}

export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly app: FastifyInstance,
    private readonly defaults: Record<string, string> = {},
  ) {}

  private cookieHeader(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

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
  ): Promise<PageResponse> {
    const res = await this.app.inject({
      method,
      url,
      headers: { ...this.defaults, ...this.cookieHeader(), ...opts.headers },
      ...(opts.payload !== undefined ? { payload: opts.payload } : {}),
    });
    const setCookies = this.remember(res.headers['set-cookie']);
    return {
      status: res.statusCode,
      body: res.body,
      headers: res.headers,
      location: res.headers.location as string | undefined,
      setCookies,
    };
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request('GET', url, { headers });
  }

  post(
    url: string,
    fields: Record<string, string | number | (string | number)[]> = {},
    headers: Record<string, string> = {},
  ) {
    return this.request('POST', url, {
      payload: formEncode(fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }

  /** POST then follow a 303 like a browser does. */
  async submit(
    url: string,
    fields: Record<string, string | number | (string | number)[]> = {},
  ): Promise<{ post: PageResponse; page: PageResponse }> {
    const post = await this.post(url, fields);
    if (post.status !== 303 || !post.location) return { post, page: post };
    return { post, page: await this.get(post.location) };
  }

  async multipart(url: string, file: { name: string; type: string; bytes: Buffer }): Promise<PageResponse> {
    const boundary = `----dukaan${Math.random().toString(16).slice(2)}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    return this.request('POST', url, {
      payload: Buffer.concat([head, file.bytes, tail]),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
  }
}

/** The value of `<… data-testid="id" …>text<` (first match), or null. */
export function testIdText(body: string, id: string): string | null {
  const m = new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(body);
  return m ? m[1]! : null;
}

export function countTestId(body: string, id: string): number {
  return body.split(`data-testid="${id}"`).length - 1;
}

/** The hidden value of a named input in a form body, e.g. the checkout key. */
export function inputValue(body: string, name: string): string | null {
  const m = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(body);
  return m ? m[1]! : null;
}
