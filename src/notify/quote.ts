/**
 * Text that customers or merchants typed, made safe to place inside a platform message (WhatsApp) so it cannot
 * pose as the platform's own lines: one line (control, line/paragraph separator and bidi override characters
 * become spaces), links defanged (`https[:]//evil[.]example`, so WhatsApp does not make them clickable), and
 * quoted. Pure: unit-tested in quote.test.ts.
 */

// C0/C1 controls (newlines included), U+2028/2029, bidi embedding/override/isolate marks, zero-width joiners.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters we remove
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]+/g;

/** One line: every control or separator character becomes a space; runs of spaces collapse. */
export function oneLine(text: string): string {
  return text
    .replace(UNSAFE, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** True when the text has no character `oneLine` would replace (for input validation). */
export function isOneLine(text: string): boolean {
  UNSAFE.lastIndex = 0;
  return !new RegExp(UNSAFE.source).test(text);
}

const SCHEME = /\b([a-z][a-z0-9+.-]{1,15}):\/\//gi;
// host-like tokens: word.word(.word…) — the dots become [.] so no client turns them into links
const HOSTLIKE = /\b((?:[a-z0-9-]+\.)+[a-z]{2,})(?=[/:?#\s]|$)/gi;

/** Links that no chat client turns into something clickable. */
export function defangLinks(text: string): string {
  return text.replace(SCHEME, '$1[:]//').replace(HOSTLIKE, (host: string) => host.replace(/\./g, '[.]'));
}

/** A customer's or merchant's text inside a message: one line, links defanged, cut to `max`, in quotes. */
export function quoteUserText(text: string, max = 300): string {
  let t = defangLinks(oneLine(text));
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  return `“${t.replace(/[“”]/g, '"')}”`;
}

interface MessageOrder {
  customer: {
    name: string;
    phone: string;
    address?: { line1: string; line2?: string | null; city: string; pincode: string } | null;
  };
  note?: string | null;
  lines: { name: string; variantName: string }[];
}

/**
 * The order as messages may show it: the customer's name and note quoted, the address and line names on one
 * line with links defanged. Apply before any message text is built from an order.
 */
export function orderForMessage<T extends MessageOrder>(order: T): T {
  const c = order.customer;
  const flat = (s: string) => defangLinks(oneLine(s));
  return {
    ...order,
    customer: {
      ...c,
      name: quoteUserText(c.name, 100),
      address: c.address
        ? {
            ...c.address,
            line1: flat(c.address.line1),
            line2: c.address.line2 ? flat(c.address.line2) : c.address.line2,
            city: flat(c.address.city),
            pincode: flat(c.address.pincode),
          }
        : c.address,
    },
    note: order.note ? quoteUserText(order.note, 500) : order.note,
    lines: order.lines.map((l) => ({ ...l, name: flat(l.name), variantName: flat(l.variantName) })),
  };
}

/** A store (merchant-typed name) as messages may show it. */
export function storeForMessage<T extends { name: string }>(store: T): T {
  return { ...store, name: defangLinks(oneLine(store.name)) };
}
