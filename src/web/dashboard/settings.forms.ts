/**
 * The settings page's opening hours and delivery areas: the form read into the API's `hours` and `delivery.areas`,
 * and the saved values written back into the form. Pure: no I/O.
 *
 * The rules (a span opens before it closes on the same day, a PIN prefix is 1–6 digits, each prefix once, a fee is
 * money) are the API's, checked by its schema and by updateStore when the page saves. This module only reads what
 * was typed, and words the API's problems for the form: which line of the areas, what to type in a day's times.
 */
import type { ProblemItem } from '../../shared/errors.js';
import { WEEKDAYS, type DeliveryArea, type OpeningHours, type Weekday } from '../../stores/profile.js';
import { field, type FormBody } from '../forms.js';
import { moneyInputValue, parseMoney, type Parsed } from './form-values.js';

/** The radio: `always` = no hours (open whenever orders are being taken), `set` = open by the days' times. */
export const HOURS_CHOICE = 'hours';
export const AREAS_FIELD = 'areas';
/** Time ranges a day shows: one, and a second for a lunch break (more when the saved hours have more). */
export const RANGES_SHOWN = 2;
// How many ranges of a day the reader looks at; beyond the API's limit, so that its schema says "too many".
const RANGES_READ = 12;

export const timeField = (day: Weekday, end: 'from' | 'to', n: number): string => `${day}_${end}_${n}`;
export const closedField = (day: Weekday): string => `${day}_closed`;
/** The name a day's problems are reported under (its row of the form). */
export const dayField = (day: Weekday): string => `hours_${day}`;

/**
 * A typed time as the API writes it: "9:05" and "9.05" → "09:05"; "09:05:00" (a time input with seconds) →
 * "09:05". Anything else is passed on as typed, for the API's schema to refuse.
 */
function clockText(typed: string): string {
  const text = typed.trim();
  const m = /^(\d{1,2})[:.](\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(text);
  return m ? `${m[1]!.padStart(2, '0')}:${m[2]}` : text;
}

/** The ranges of a day in a form (or in saved hours as form fields): the ones always shown, and any further one. */
export function rangeNumbers(fields: FormBody, day: Weekday): number[] {
  const numbers: number[] = [];
  for (let n = 1; n <= RANGES_READ; n++)
    if (n <= RANGES_SHOWN || field(fields, timeField(day, 'from', n)) !== undefined) numbers.push(n);
  return numbers;
}

/**
 * The hours part of the settings form → the API's `hours`: undefined when the form carries no choice (nothing to
 * change), null for "no hours", else the days' spans. A day ticked closed, or with no times, is closed. A range
 * with one time only is a problem here (the API never sees half a span). Closing at "00:00" means midnight, the
 * API's "24:00": a time input cannot say 24:00.
 */
export function readHoursForm(fields: FormBody): { hours: OpeningHours | null | undefined; problems: ProblemItem[] } {
  const choice = field(fields, HOURS_CHOICE, 10);
  if (choice === 'always') return { hours: null, problems: [] };
  if (choice !== 'set') return { hours: undefined, problems: [] };
  const hours: OpeningHours = {};
  const problems: ProblemItem[] = [];
  for (const day of WEEKDAYS) {
    if (field(fields, closedField(day)) !== undefined) continue;
    const spans: [string, string][] = [];
    for (const n of rangeNumbers(fields, day)) {
      const from = clockText(field(fields, timeField(day, 'from', n), 20) ?? '');
      const to = clockText(field(fields, timeField(day, 'to', n), 20) ?? '');
      if (from === '' && to === '') continue;
      if (from === '' || to === '') {
        const message = from === '' ? 'Enter the opening time too' : 'Enter the closing time too';
        problems.push({ code: 'required', path: `/hours/${day}/${spans.length}`, message });
        continue;
      }
      spans.push([from, to === '00:00' ? '24:00' : to]);
    }
    if (spans.length) hours[day] = spans;
  }
  return { hours, problems };
}

/**
 * Saved hours → the form's fields, as readHoursForm reads them back. A store without hours is offered 09:00–21:00
 * on every day, so choosing "by these hours" starts from a usual shop day rather than from seven empty days.
 */
export function hoursFormFields(hours: OpeningHours | null): FormBody {
  const fields: FormBody = { [HOURS_CHOICE]: hours ? 'set' : 'always' };
  for (const day of WEEKDAYS) {
    const spans = hours ? (hours[day] ?? []) : [['09:00', '21:00'] as const];
    if (spans.length === 0) fields[closedField(day)] = '1';
    spans.forEach(([from, to], i) => {
      fields[timeField(day, 'from', i + 1)] = from;
      fields[timeField(day, 'to', i + 1)] = to === '24:00' ? '00:00' : to;
    });
  }
  return fields;
}

export interface AreasRead {
  /** undefined when the form carries no areas field (nothing to change); empty = delivers everywhere */
  areas: DeliveryArea[] | undefined;
  /** the textarea line (from 1) each area was typed on, to name it in a problem */
  lines: number[];
  problems: ProblemItem[];
}

// A prefix, then (after spaces, a comma, a colon or "=") the fee; a "-" is not a separator: "-40" is a negative fee.
const AREA_LINE = /^([^\s,;:=]+)[\s,;:=]*(.*)$/;

/**
 * The delivery areas textarea → the API's `delivery.areas`: one area a line, a PIN prefix and an optional fee in
 * major units (`411001`, `411001 40`, `560, ₹25.50`); blank lines are skipped. The prefix is passed on as typed,
 * for the API's schema to check; the fee is read as money (paise), and a fee that is no amount is a problem here.
 */
export function readAreasText(text: string | undefined, currency: string): AreasRead {
  if (text === undefined) return { areas: undefined, lines: [], problems: [] };
  const areas: DeliveryArea[] = [];
  const lines: number[] = [];
  const problems: ProblemItem[] = [];
  text.split(/\r?\n|\r/).forEach((typed, i) => {
    const m = AREA_LINE.exec(typed.trim());
    if (!m) return;
    const area: DeliveryArea = { pincodePrefix: m[1]! };
    const feeText = m[2]!.trim();
    if (feeText !== '') {
      // One amount: parseMoney would join "40 50" into 4050.
      const fee: Parsed<number> = /\d\s+\d/.test(feeText)
        ? { ok: false, message: 'Enter an amount like 49.99' }
        : parseMoney(feeText, currency);
      if (fee.ok) area.fee = fee.value;
      else problems.push({ code: 'invalid', path: `/delivery/areas/${areas.length}/fee`, message: fee.message });
    }
    areas.push(area);
    lines.push(i + 1);
  });
  return { areas, lines, problems };
}

/** Saved areas → the textarea: `411001 40` (a fee in major units, whole amounts without ".00"), one a line. */
export function areasText(areas: readonly DeliveryArea[], currency: string): string {
  return areas
    .map((a) =>
      a.fee === undefined
        ? a.pincodePrefix
        : `${a.pincodePrefix} ${moneyInputValue(a.fee, currency).replace(/\.0+$/, '')}`,
    )
    .join('\n');
}

const AREA_PATH = /^\/delivery\/areas\/(\d+)\/(pincodePrefix|fee)$/;
const SPAN_PATH = /^\/hours\/[a-z]+\/\d+$/;
const TIME_PATH = /^\/hours\/[a-z]+\/\d+\/[01]$/;

/**
 * Problems with the hours and areas, from this module, the API's schema or updateStore, worded for the form (in
 * English; field-messages.ts says them again in Hindi): an area's problem names the line it was typed on, a prefix
 * the schema refuses says what a prefix is, a span updateStore refuses says how to write one. Others are kept.
 */
export function formScheduleProblems(items: readonly ProblemItem[], areas: Pick<AreasRead, 'areas' | 'lines'>) {
  return items.map((item): ProblemItem => {
    const area = AREA_PATH.exec(item.path ?? '');
    if (area) {
      const index = Number(area[1]);
      const line = areas.lines[index] ?? index + 1;
      const prefix = areas.areas?.[index]?.pincodePrefix ?? '';
      const words =
        area[2] === 'fee'
          ? item.message
          : item.code === 'duplicate'
            ? `${prefix} is listed already`
            : 'Enter a PIN code or its first digits: 1 to 6 digits, like 4110 or 411001';
      return { ...item, message: `Line ${line}: ${words}` };
    }
    if (TIME_PATH.test(item.path ?? '')) return { ...item, message: 'Enter a time like 09:30' };
    if (SPAN_PATH.test(item.path ?? '') && item.code === 'invalid')
      return {
        ...item,
        message:
          'Enter a closing time after the opening time, on the same day. ' +
          'Open past midnight? Close at 00:00 and open the next day from 00:00',
      };
    return item;
  });
}

/** The form field a problem of the hours or areas belongs to; undefined for any other path. */
export function scheduleFieldOf(path: string): string | undefined {
  if (path.startsWith('/delivery/areas')) return AREAS_FIELD;
  const day = /^\/hours\/([a-z]+)/.exec(path)?.[1];
  if (day && (WEEKDAYS as readonly string[]).includes(day)) return dayField(day as Weekday);
  return undefined;
}
