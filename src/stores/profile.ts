/**
 * Pure rules of the store profile: opening hours (is the shop open now?) and delivery areas (does it deliver to
 * this PIN, for what fee?). No clock or database here: callers pass `now` and the store's settings.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** `[["09:00", "13:00"], ["16:00", "21:00"]]` per day; a day missing or empty is closed all day. */
export type OpeningHours = Partial<Record<Weekday, [string, string][]>>;

export interface DeliveryArea {
  pincodePrefix: string;
  /** overrides the store's delivery fee in this area */
  fee?: number;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

export const minutesOf = (hhmm: string): number => {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/** Problems with an hours object, as JSON-pointer paths under `/hours` (empty = valid). */
export function hoursProblems(hours: OpeningHours): string[] {
  const problems: string[] = [];
  for (const [day, spans] of Object.entries(hours)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      problems.push(`/hours/${day}`);
      continue;
    }
    (spans ?? []).forEach(([from, to], i) => {
      if (!TIME.test(from) || !TIME.test(to) || minutesOf(from) >= minutesOf(to)) problems.push(`/hours/${day}/${i}`);
    });
  }
  return problems;
}

/** The weekday and minute of the day of `now` in `timeZone`. */
export function localTime(now: Date, timeZone: string): { day: Weekday; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3) as Weekday;
  return { day, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** Open by its hours at `now`? No hours = always. */
export function openByHours(hours: OpeningHours | null, now: Date, timeZone: string): boolean {
  if (!hours) return true;
  const { day, minute } = localTime(now, timeZone);
  return (hours[day] ?? []).some(([from, to]) => minute >= minutesOf(from) && minute < minutesOf(to));
}

/** The manual switch closes the shop regardless; otherwise its hours decide. */
export function storeIsOpen(manualOpen: boolean, hours: OpeningHours | null, now: Date, timeZone: string): boolean {
  return manualOpen && openByHours(hours, now, timeZone);
}

/** Whether `pincode` can be a postal code of a store in `currency`: an Indian PIN is 6 digits (spaces ignored). */
export function pincodeShapeOk(currency: string, pincode: string): boolean {
  return currency !== 'INR' || /^\d{6}$/.test(pincode.replace(/\s/g, ''));
}

/**
 * Problems of a delivery-area list, as JSON-pointer paths (empty = valid): a PIN prefix listed twice would leave
 * the second entry's fee silently unused (the first of equal length wins in `deliveryTo`).
 */
export function deliveryAreaProblems(areas: readonly DeliveryArea[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  areas.forEach((area, i) => {
    if (seen.has(area.pincodePrefix)) problems.push(`/delivery/areas/${i}/pincodePrefix`);
    seen.add(area.pincodePrefix);
  });
  return problems;
}

/**
 * Whether the store delivers to `pincode`, and the fee there. No areas = everywhere at the store's fee; otherwise
 * the longest matching prefix wins (a fee on "411001" beats one on "411").
 */
export function deliveryTo(
  areas: readonly DeliveryArea[],
  storeFee: number,
  pincode: string,
): { delivers: boolean; fee: number } {
  const pin = pincode.replace(/\s/g, '');
  if (areas.length === 0) return { delivers: true, fee: storeFee };
  const match = areas
    .filter((a) => pin.startsWith(a.pincodePrefix))
    .sort((a, b) => b.pincodePrefix.length - a.pincodePrefix.length)[0];
  return match ? { delivers: true, fee: match.fee ?? storeFee } : { delivers: false, fee: 0 };
}
