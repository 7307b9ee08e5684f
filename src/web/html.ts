/**
 * An auto-escaping tagged template for server-rendered pages.
 *
 *   html`<p title="${userText}">${userText}</p>`
 *
 * Every interpolation is escaped for both text and quoted attribute values, unless it is itself an `Html`
 * (the result of `html` or `raw`). Arrays are rendered item by item (each item escaped the same way), and
 * `null`, `undefined` and `false` render as nothing, so `${cond && html`...`}` and `${items.map(...)}` just work.
 *
 * Rules that keep this safe:
 *  - Always quote attribute values: `href="${url}"`, never `href=${url}`.
 *  - A URL attribute from user input also needs `safeUrl()` (escaping does not stop `javascript:`).
 *  - `raw()` only for strings the program itself made (hashed asset names, SVG from the QR library).
 *  - Never interpolate into `<script>` or `<style>`; pages carry no inline script (the CSP forbids it anyway).
 */

const HTML_BRAND: unique symbol = Symbol('dukaan.html');

/** Markup that is already safe to send. Only `html` and `raw` make one. */
export class Html {
  readonly [HTML_BRAND] = true;
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = Html | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};
const ESCAPE_RE = /[&<>"'`]/g;

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return ESCAPE_RE.test(text) ? text.replace(ESCAPE_RE, (c) => ESCAPES[c]!) : text;
}

export function isHtml(value: unknown): value is Html {
  return value instanceof Html;
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) {
    let out = '';
    for (const item of value as readonly HtmlValue[]) out += render(item);
    return out;
  }
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Trusted markup, sent as is. Never pass anything a user typed. */
export function raw(trusted: string): Html {
  return new Html(trusted);
}

/** Items joined by a separator (both escaped unless Html). */
export function join(items: readonly HtmlValue[], separator: HtmlValue = ''): Html {
  const sep = render(separator);
  return new Html(items.map(render).join(sep));
}

/**
 * Attributes from a record: `true` → the bare attribute, `false`/`null`/`undefined` → omitted, anything else
 * `name="escaped value"`. Names must be program constants (they are checked, not escaped).
 *
 *   html`<input${attrs({ name: 'q', value: query, required: true, disabled: false })}>`
 */
export function attrs(record: Record<string, string | number | boolean | null | undefined>): Html {
  let out = '';
  for (const [name, value] of Object.entries(record)) {
    if (!/^[a-zA-Z_:][-a-zA-Z0-9_:.]*$/.test(name)) throw new Error(`invalid attribute name: ${name}`);
    if (value === false || value === null || value === undefined) continue;
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`;
  }
  return new Html(out);
}

/**
 * A URL that may go into href/src/action: http(s), a site path, `upi:`, `mailto:`, `tel:`, or a fragment.
 * Anything else (`javascript:`, `data:`, `vbscript:`) becomes `#`. Still interpolate it through `html`.
 */
export function safeUrl(url: string): string {
  const trimmed = url.trim();
  if (/^(?:https?:\/\/|upi:\/\/|mailto:|tel:|#|\/(?!\/)|\?)/i.test(trimmed)) return trimmed;
  return '#';
}
