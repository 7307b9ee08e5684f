/**
 * What a customer types into the chat, read as a kirana owner would: items lists ("2 kg atta, 1 bru coffee",
 * "aata 5kg x2\ndaal 1 kilo", "दो पैकेट मैगी") and commands ("confirm", "2 ko 3 karo", "remove coffee").
 * Pure functions: no catalog, no database — the conversation matches the names afterwards.
 */

/** A size the customer asked for, in base units: grams, millilitres. */
export interface AskedSize {
  amount: number;
  unit: 'g' | 'ml';
}

export interface ItemLine {
  /** how many (packs, pieces, or of the asked size); ≥ 1 */
  quantity: number;
  /** "2 kg atta" → 2000 g; null when no weight or volume was named */
  size: AskedSize | null;
  /** the words that name the product, lower case, single spaces */
  name: string;
}

const DEVANAGARI_DIGITS = '०१२३४५६७८९';

/** NFC, with Devanagari digits as ASCII (a PIN code typed in Hindi). */
function asciiDigits(text: string): string {
  return text.normalize('NFC').replace(/[०-९]/g, (d) => String(DEVANAGARI_DIGITS.indexOf(d)));
}

/** A 6-digit PIN code standing alone in the text (Devanagari digits read as ASCII), or null. */
function pinCodeIn(text: string): string | null {
  return /(?:^|\D)(\d{6})(?:\D|$)/.exec(asciiDigits(text))?.[1] ?? null;
}

/** Devanagari digits as ASCII, NFC, lower case, unified × and quotes. */
export function normaliseText(text: string): string {
  return asciiDigits(text)
    .replace(/[×✕✖]/g, 'x')
    .replace(/[‘’´`]/g, "'")
    .toLowerCase();
}

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  // English
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  a: 1,
  an: 1,
  half: 0.5,
  // Hinglish
  ek: 1,
  do: 2,
  teen: 3,
  tin: 3,
  char: 4,
  chaar: 4,
  panch: 5,
  paanch: 5,
  pach: 5,
  chhe: 6,
  che: 6,
  chhah: 6,
  saat: 7,
  sat: 7,
  aath: 8,
  ath: 8,
  nau: 9,
  das: 10,
  barah: 12,
  baarah: 12,
  bees: 20,
  aadha: 0.5,
  adha: 0.5,
  aadhi: 0.5,
  dedh: 1.5,
  dhai: 2.5,
  dhaai: 2.5,
  sawa: 1.25,
  paav: 0.25,
  pav: 0.25,
  pao: 0.25,
  // Devanagari
  एक: 1,
  दो: 2,
  तीन: 3,
  चार: 4,
  पांच: 5,
  पाँच: 5,
  छह: 6,
  छः: 6,
  सात: 7,
  आठ: 8,
  नौ: 9,
  दस: 10,
  बारह: 12,
  आधा: 0.5,
  आधी: 0.5,
  डेढ़: 1.5,
  डेढ: 1.5,
  ढाई: 2.5,
  पाव: 0.25,
};

type UnitKind =
  | { kind: 'mass'; factor: number }
  | { kind: 'volume'; factor: number }
  | { kind: 'count'; factor: number };
const UNITS: Readonly<Record<string, UnitKind>> = {
  kg: { kind: 'mass', factor: 1000 },
  kgs: { kind: 'mass', factor: 1000 },
  kilo: { kind: 'mass', factor: 1000 },
  kilos: { kind: 'mass', factor: 1000 },
  kilogram: { kind: 'mass', factor: 1000 },
  kilograms: { kind: 'mass', factor: 1000 },
  किलो: { kind: 'mass', factor: 1000 },
  केजी: { kind: 'mass', factor: 1000 },
  g: { kind: 'mass', factor: 1 },
  gm: { kind: 'mass', factor: 1 },
  gms: { kind: 'mass', factor: 1 },
  gram: { kind: 'mass', factor: 1 },
  grams: { kind: 'mass', factor: 1 },
  gr: { kind: 'mass', factor: 1 },
  ग्राम: { kind: 'mass', factor: 1 },
  l: { kind: 'volume', factor: 1000 },
  ltr: { kind: 'volume', factor: 1000 },
  ltrs: { kind: 'volume', factor: 1000 },
  litre: { kind: 'volume', factor: 1000 },
  litres: { kind: 'volume', factor: 1000 },
  liter: { kind: 'volume', factor: 1000 },
  liters: { kind: 'volume', factor: 1000 },
  lit: { kind: 'volume', factor: 1000 },
  लीटर: { kind: 'volume', factor: 1000 },
  ml: { kind: 'volume', factor: 1 },
  मिली: { kind: 'volume', factor: 1 },
  pc: { kind: 'count', factor: 1 },
  pcs: { kind: 'count', factor: 1 },
  piece: { kind: 'count', factor: 1 },
  pieces: { kind: 'count', factor: 1 },
  nos: { kind: 'count', factor: 1 },
  no: { kind: 'count', factor: 1 },
  packet: { kind: 'count', factor: 1 },
  packets: { kind: 'count', factor: 1 },
  pkt: { kind: 'count', factor: 1 },
  pkts: { kind: 'count', factor: 1 },
  pack: { kind: 'count', factor: 1 },
  packs: { kind: 'count', factor: 1 },
  bottle: { kind: 'count', factor: 1 },
  bottles: { kind: 'count', factor: 1 },
  box: { kind: 'count', factor: 1 },
  boxes: { kind: 'count', factor: 1 },
  tin: { kind: 'count', factor: 1 },
  jar: { kind: 'count', factor: 1 },
  bag: { kind: 'count', factor: 1 },
  bags: { kind: 'count', factor: 1 },
  dabba: { kind: 'count', factor: 1 },
  dabbe: { kind: 'count', factor: 1 },
  patta: { kind: 'count', factor: 1 },
  dozen: { kind: 'count', factor: 12 },
  dozens: { kind: 'count', factor: 12 },
  darjan: { kind: 'count', factor: 12 },
  पैकेट: { kind: 'count', factor: 1 },
  पैकेट्स: { kind: 'count', factor: 1 },
  पीस: { kind: 'count', factor: 1 },
  बोतल: { kind: 'count', factor: 1 },
  डिब्बा: { kind: 'count', factor: 1 },
  डिब्बे: { kind: 'count', factor: 1 },
  दर्जन: { kind: 'count', factor: 12 },
};

/** Words that ask or connect but name nothing. */
const FILLER = new Set([
  'please',
  'pls',
  'plz',
  'i',
  'want',
  'need',
  'send',
  'me',
  'of',
  'and',
  'also',
  'some',
  'the',
  'add',
  'more',
  'bhi',
  'aur',
  'chahiye',
  'chaiye',
  'chahie',
  'bhejo',
  'bhej',
  'dena',
  'dijiye',
  'de',
  'bhai',
  'bhaiya',
  'ji',
  'ka',
  'ki',
  'ke',
  'wala',
  'wali',
  'vala',
  'mujhe',
  'hume',
  'humein',
  'plus',
  'x',
  'qty',
  'quantity',
  'चाहिए',
  'भेजो',
  'भेज',
  'दीजिए',
  'दें',
  'दे',
  'और',
  'भी',
  'का',
  'की',
  'के',
  'वाला',
  'वाली',
  'मुझे',
  'भैया',
  'जी',
]);

/** Splits an items message into one text per item: new lines, commas, semicolons, " and ", " aur ", "और". */
export function splitItems(text: string): string[] {
  return normaliseText(text)
    .split(/[\n,;]+|\s+(?:and|aur|और|n|&|\+)\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Separates glued numbers and units: "5kg" → "5 kg", "x2" → "x 2", "2x" → "2 x", "500gm" → "500 gm". */
function tokens(segment: string): string[] {
  return segment
    .replace(/(\d)([a-z\u0900-\u097f]+)/g, (all, d: string, word: string) =>
      UNITS[word] || word === 'x' ? `${d} ${word}` : all,
    )
    .replace(/(^|\s)x(\d)/g, '$1x $2')
    .replace(/[*@#:()[\]{}"!?]/g, ' ')
    .replace(/(^|\s)-(?=\s|$)/g, ' ')
    .replace(/\.(?!\d)/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

function numberOf(token: string): number | null {
  if (/^\d+(?:\.\d+)?$/.test(token)) return Number(token);
  if (/^\d+\/\d+$/.test(token)) {
    const [a, b] = token.split('/').map(Number) as [number, number];
    return b ? a / b : null;
  }
  return NUMBER_WORDS[token] ?? null;
}

/**
 * One item: the quantity, the asked size and the name. "2 kg atta" is 1 × 2 kg; "aata 5kg x2" 2 × 5 kg;
 * "2 packet maggi" 2; "1 dozen eggs" 12; "half kg paneer" 1 × 500 g. A segment with no name → null.
 */
export function parseItem(segment: string): ItemLine | null {
  const words = tokens(normaliseText(segment));
  let quantity: number | null = null;
  let size: AskedSize | null = null;
  let countFactor = 1;
  const name: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = words[i + 1];
    // "x2", "x 2", "2 x": a multiplier
    if (word === 'x' && next !== undefined && numberOf(next) !== null && Number.isInteger(numberOf(next))) {
      quantity = (quantity ?? 1) * numberOf(next)!;
      i++;
      continue;
    }
    const n = numberOf(word);
    // "a"/"an" only count before a unit ("a kg", "an packet"); "do" at the end is "give" ("de do"), not two.
    const isWordNumber = !/^\d/.test(word);
    if (
      n !== null &&
      !(isWordNumber && ['a', 'an', 'do', 'tin', 'sat', 'no'].includes(word) && !numberFollowsWell(words, i))
    ) {
      const unit = next !== undefined ? UNITS[next] : undefined;
      if (unit && unit.kind !== 'count') {
        const amount = Math.round(n * unit.factor);
        if (size && quantity === null) quantity = 1;
        size = { amount, unit: unit.kind === 'mass' ? 'g' : 'ml' };
        i++;
        continue;
      }
      if (unit && unit.kind === 'count') {
        quantity = (quantity ?? 1) * n * unit.factor;
        i++;
        continue;
      }
      if (next === 'x' && i + 2 < words.length) {
        quantity = (quantity ?? 1) * n;
        i++;
        continue;
      }
      if (quantity === null) {
        quantity = n;
        continue;
      }
      if (size === null && n > 0) {
        // a second bare number: "maggi 2 4" — keep it as a name word
        name.push(word);
        continue;
      }
      quantity *= n;
      continue;
    }
    if (UNITS[word]?.kind === 'count' && UNITS[word]!.factor > 1) {
      countFactor *= UNITS[word]!.factor; // "dozen eggs": a dozen
      continue;
    }
    // "packet maggi": a count word before any name is no part of the name
    if (UNITS[word]?.kind === 'count' && name.length === 0 && word !== 'tin' && word !== 'no') continue;
    if (FILLER.has(word) || (n !== null && ['a', 'an', 'do'].includes(word))) continue;
    name.push(word);
  }
  const cleanName = name
    .join(' ')
    .replace(/[^\p{L}\p{M}\p{N}' &-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!cleanName) return null;
  let q = (quantity ?? 1) * countFactor;
  // half a kilo without a unit count: a size, not a quantity
  if (q > 0 && q < 1) q = 1;
  q = Math.max(1, Math.round(q));
  return { quantity: Math.min(q, 999), size, name: cleanName };
}

/** A word number is a quantity when a unit or a name follows it ("do packet", "tin kilo"), not at the end. */
function numberFollowsWell(words: readonly string[], i: number): boolean {
  const next = words[i + 1];
  if (next === undefined) return false;
  if (UNITS[next]) return true;
  const word = words[i]!;
  if (word === 'a' || word === 'an') return false;
  if (word === 'do' && (words[i - 1] === 'de' || next === 'na')) return false;
  if (word === 'tin' || word === 'sat' || word === 'no') return false;
  return true;
}

/** Every item of a message; segments without a name are dropped. */
export function parseItems(text: string): ItemLine[] {
  return splitItems(text)
    .map(parseItem)
    .filter((l): l is ItemLine => l !== null);
}

// ---------- commands ----------

export type Command =
  | { kind: 'greet' }
  | { kind: 'status' }
  | { kind: 'confirm' }
  | { kind: 'clear' }
  | { kind: 'help' }
  | { kind: 'pay'; method: 'cod' | 'upi' }
  | { kind: 'choose'; choice: number }
  | { kind: 'setQuantity'; line: number; quantity: number }
  | { kind: 'remove'; line: number | null; name: string | null }
  | { kind: 'replace'; line: number; choice: number }
  | { kind: 'store'; slug: string }
  | { kind: 'items'; lines: ItemLine[] };

const GREETINGS = new Set([
  'hi',
  'hii',
  'hello',
  'helo',
  'hey',
  'menu',
  'start',
  'namaste',
  'namaskar',
  'नमस्ते',
  'नमस्कार',
  'हाय',
  'हेलो',
  'मेनू',
  'hi there',
  'good morning',
  'gm',
]);
const CONFIRMS = new Set([
  'confirm',
  'confirmed',
  'yes',
  'y',
  'ok',
  'okay',
  'haan',
  'han',
  'ha',
  'haa',
  'haanji',
  'haan ji',
  'ji haan',
  'order',
  'place order',
  'order karo',
  'order kar do',
  'done',
  'theek hai',
  'thik hai',
  'हाँ',
  'हां',
  'हा',
  'ठीक है',
  'ऑर्डर',
  'ऑर्डर करो',
  'कन्फर्म',
  'confirm order',
  'confirm karo',
  'pakka',
  'पक्का',
]);
const STATUS = new Set([
  'status',
  'order status',
  'mera order',
  'mera order kahan hai',
  'where is my order',
  'my order',
  'track',
  'मेरा ऑर्डर',
  'स्टेटस',
  'ऑर्डर कहाँ है',
  'kab aayega',
  'order kab aayega',
]);
const CLEAR = new Set(['clear', 'empty cart', 'cart khali karo', 'cancel all', 'sab hatao', 'reset', 'सब हटाओ']);
const HELP = new Set(['help', 'madad', 'मदद', '?']);

/** What a message asks for. `awaiting` tells whether a numbered choice is open (then "2" picks it). */
export function readCommand(text: string, opts: { choiceOpen?: boolean } = {}): Command {
  const plain = normaliseText(text)
    .replace(/[!.?।]+$/u, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (GREETINGS.has(plain)) return { kind: 'greet' };
  if (CONFIRMS.has(plain)) return { kind: 'confirm' };
  if (STATUS.has(plain)) return { kind: 'status' };
  if (CLEAR.has(plain)) return { kind: 'clear' };
  if (HELP.has(plain)) return { kind: 'help' };
  if (/^(cod|cash|cash on delivery|nakad|नकद|कैश)$/.test(plain)) return { kind: 'pay', method: 'cod' };
  if (/^(upi|gpay|phonepe|paytm|online|यूपीआई)$/.test(plain)) return { kind: 'pay', method: 'upi' };
  const order = /^order\s+([a-z0-9][a-z0-9-]{0,62})$/.exec(plain);
  if (order) return { kind: 'store', slug: order[1]! };
  if (opts.choiceOpen && /^\d{1,2}$/.test(plain)) return { kind: 'choose', choice: Number(plain) };
  let m =
    /^(?:line\s*)?(\d{1,2})\s*(?:ko|को)\s*(\d{1,3})\s*(?:karo|kar do|kardo|kar dijiye|करो|कर दो)?$/u.exec(plain) ??
    /^(?:make|set|change)\s+(?:line\s*)?(\d{1,2})\s+(?:to\s+)?(\d{1,3})$/.exec(plain) ??
    /^(?:line\s*)?(\d{1,2})\s*=\s*(\d{1,3})$/.exec(plain);
  if (m) return { kind: 'setQuantity', line: Number(m[1]), quantity: Number(m[2]) };
  m = /^(?:replace|badlo|badal do)\s+(?:line\s*)?(\d{1,2})\s+(?:with|se|by)\s+(\d{1,2})$/.exec(plain);
  if (m) return { kind: 'replace', line: Number(m[1]), choice: Number(m[2]) };
  m = /^(?:remove|delete|cancel|drop|hatao|hata do|nikalo|nikal do|हटाओ|हटा दो)\s+(.+)$/u.exec(plain);
  const after = m ?? /^(.+?)\s+(?:remove|hatao|hata do|nikal do|nikalo|cancel|हटाओ|हटा दो|हटा दें)$/u.exec(plain);
  if (after) {
    const what = after[1]!.replace(/^(?:line|item)\s*/, '').trim();
    return /^\d{1,2}$/.test(what)
      ? { kind: 'remove', line: Number(what), name: null }
      : { kind: 'remove', line: null, name: what };
  }
  return { kind: 'items', lines: parseItems(text) };
}

/**
 * The chat's language after this message: Devanagari switches it to Hindi, Latin script keeps it (Hinglish typed in
 * Latin letters is read all the same, and answered in the language the chat already has).
 */
export function languageOf(text: string, current: string): string {
  return /[\u0900-\u097f]/.test(text) ? 'hi' : current;
}

/** A delivery address as typed: "Ravi Kumar, 12 MG Road, Pune 411001" → name, line1, city, pincode. */
export interface TypedAddress {
  name: string;
  line1: string;
  city: string;
  pincode: string;
}

export function parseAddress(text: string): TypedAddress | null {
  const plain = normaliseText(text).normalize('NFC');
  const pin = /(?:^|\D)(\d{6})(?:\D|$)/.exec(plain);
  if (!pin) return null;
  const original = asciiDigits(text);
  const parts = original
    .replace(pin[1]!, ' ')
    .split(/[\n,]+/)
    .map((p) =>
      p
        .replace(/\s+/g, ' ')
        .replace(/[-–:]\s*$/, '')
        .trim(),
    )
    .filter(Boolean);
  if (parts.length < 3) return null;
  const [name, ...rest] = parts;
  const city = rest.pop()!;
  return {
    name: name!.slice(0, 100),
    line1: rest.join(', ').slice(0, 200),
    city: city.slice(0, 100),
    pincode: pin[1]!,
  };
}

/**
 * A delivery address from a map pin's own text (the place's name and address WhatsApp sends with a `location`)
 * and what the customer types after it: their name and, when the pin's text has none, the 6-digit PIN code. The
 * name comes from the typed text (without the PIN), else `savedName`. Null while something is still missing.
 */
export function pinnedAddress(pinText: string, typed: string, savedName: string | null): TypedAddress | null {
  const typedPin = pinCodeIn(typed);
  const pin = pinParts(pinText);
  const pincode = typedPin ?? pin.pincode;
  if (!pincode) return null;
  const name = cleanPart(typedPin ? asciiDigits(typed).replace(typedPin, ' ') : typed) || savedName;
  if (!name) return null;
  const parts = [...pin.parts];
  if (parts.length === 0) return null;
  const city = parts.length > 1 ? parts.pop()! : parts[0]!;
  return { name: name.slice(0, 100), line1: parts.join(', ').slice(0, 200), city: city.slice(0, 100), pincode };
}

/**
 * What the customer must still send after a map pin (`pinnedAddress` null), by the pin's text and a saved name:
 * `address` when the text names no place besides a PIN code (nothing to deliver to: the whole address is typed).
 */
export function pinLacks(pinText: string, savedName: string | null): 'address' | 'name' | 'pincode' | 'namePincode' {
  const pin = pinParts(pinText);
  if (pin.parts.length === 0) return 'address';
  if (pin.pincode) return 'name';
  return savedName ? 'pincode' : 'namePincode';
}

const cleanPart = (t: string) =>
  t
    .replace(/\s+/g, ' ')
    .replace(/^[\s,.:–-]+|[\s,.:–-]+$/g, '')
    .trim();

/** A pin's text as its PIN code (or null) and the address parts around it. */
function pinParts(pinText: string): { pincode: string | null; parts: string[] } {
  const pinned = asciiDigits(pinText);
  const pincode = pinCodeIn(pinned);
  const parts = (pincode ? pinned.replace(pincode, ' ') : pinned)
    .split(/[\n,]+/)
    .map(cleanPart)
    .filter(Boolean);
  return { pincode, parts };
}

/** The weight or volume a product or variant name states ("5 kg", "Amul Milk 500 ml"), or null. */
export function sizeOf(text: string): AskedSize | null {
  const words = tokens(normaliseText(text));
  for (let i = 0; i + 1 < words.length; i++) {
    const n = numberOf(words[i]!);
    const unit = UNITS[words[i + 1]!];
    if (n !== null && /^\d/.test(words[i]!) && unit && unit.kind !== 'count')
      return { amount: Math.round(n * unit.factor), unit: unit.kind === 'mass' ? 'g' : 'ml' };
  }
  return null;
}
