/** Storefront test helpers: hostile names and reading test ids off pages (the fake browser:
 * test/helpers/web-client.ts). */

export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
export const HOSTILE_ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';

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
