import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** A valid phone number in E.164, or null. Input must already be E.164 (a leading +). */
export function normalizeE164(input: string): string | null {
  if (!/^\+[1-9]\d{6,14}$/.test(input)) return null;
  const parsed = parsePhoneNumberFromString(input);
  if (!parsed?.isValid()) return null;
  return parsed.number;
}
