/**
 * The WhatsApp Business Cloud API, as Meta documents it: `POST {api}/{phone-number-id}/messages` (text,
 * interactive list/button, image messages) and media download (`GET {api}/{media-id}` → `{ url }`, then that URL,
 * both with the bearer token). Webhook signatures: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface CloudApiConfig {
  apiUrl: string;
  token: string;
}

/** What Meta sends: `sha256=` and 64 lower-case hex digits, nothing before or after. */
const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/**
 * True when `header` is exactly `sha256=` + the lower-case hex HMAC-SHA256 of `rawBody` keyed with the app secret
 * (constant time). Anything else is refused, even when it decodes to the right bytes: Buffer's hex decoding stops at
 * the first non-hex character, so a lenient check took trailing garbage, an odd last digit or a second
 * comma-joined value.
 */
export function validSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (typeof header !== 'string' || !SIGNATURE.test(header)) return false;
  const given = Buffer.from(header.slice(7), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A reply's message object (without `messaging_product` and `to`, which the sender adds). */
export type CloudMessage =
  | { type: 'text'; text: { body: string; preview_url?: boolean } }
  /** an image by link: Meta fetches the URL (JPEG or PNG, ≤ 5 MB); the caption is at most 1024 characters */
  | { type: 'image'; image: { link: string; caption?: string } }
  | {
      type: 'interactive';
      interactive:
        | {
            type: 'button';
            body: { text: string };
            action: { buttons: { type: 'reply'; reply: { id: string; title: string } }[] };
          }
        | {
            type: 'list';
            body: { text: string };
            action: { button: string; sections: { title: string; rows: { id: string; title: string }[] }[] };
          };
    };

/**
 * A media download that failed; `retryable`: it may work later. An HTTP failure is taken as one (the media may not
 * be there yet); no URL, or a file over the limit, never will.
 */
export class MediaError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/** Downloads an inbound image: the media object's URL first, then the bytes (at most maxBytes). */
export async function downloadMedia(
  config: CloudApiConfig,
  mediaId: string,
  maxBytes: number,
  doFetch: typeof fetch = fetch,
): Promise<Buffer> {
  const base = config.apiUrl.replace(/\/$/, '');
  const auth = { authorization: `Bearer ${config.token}` };
  const meta = await doFetch(`${base}/${encodeURIComponent(mediaId)}`, {
    headers: auth,
    signal: AbortSignal.timeout(10_000),
  });
  if (!meta.ok) throw new MediaError(`media lookup answered ${meta.status}`, true);
  const { url, file_size: size } = (await meta.json()) as { url?: string; file_size?: number };
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new MediaError('media lookup gave no URL', false);
  if (typeof size === 'number' && size > maxBytes) throw new MediaError('media too large', false);
  const res = await doFetch(url, { headers: auth, signal: AbortSignal.timeout(20_000) });
  if (!res.ok) throw new MediaError(`media download answered ${res.status}`, true);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > maxBytes) throw new MediaError('media too large', false);
  return bytes;
}
