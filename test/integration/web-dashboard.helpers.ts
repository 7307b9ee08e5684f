/** Dashboard test helpers: sign in and open a shop through the forms (test/helpers/web-client.ts), images, text. */
import sharp from 'sharp';
import { uniquePhone, type TestContext } from '../helpers/app.js';
import { WebClient } from '../helpers/web-client.js';

export const HOSTILE = '<img src=x onerror=alert(1)>';
export const HOSTILE_ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';

/** Signs in through the pages: phone → code (from the test OTP channel) → the session cookie. */
export async function signInWithForms(
  ctx: TestContext,
  phone = uniquePhone(),
  ip = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
): Promise<WebClient> {
  const browser = new WebClient(ctx.app, { 'x-forwarded-for': ip });
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
): Promise<{ browser: WebClient; storeId: string; base: string }> {
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
export const sessionToken = (browser: WebClient): string => browser.cookies.get('dukaan_session')!;

/** Everything between a tag's testid and the end of that element's line: enough for simple assertions. */
export function textOf(html: string, testid: string): string {
  const at = html.indexOf(`data-testid="${testid}"`);
  if (at < 0) return '';
  const start = html.indexOf('>', at) + 1;
  return html.slice(start, html.indexOf('<', start));
}
