/** The order forms read into what the orders service takes. Pure: no I/O. */
import { field, fieldValues, type FormBody } from '../forms.js';
import { parseInteger } from './form-values.js';

interface FieldProblem {
  code: string;
  path: string;
  message: string;
}

/** The new set of lines from the edit form: each kept line's quantity, plus the item added, if any. */
export function readLinesForm(body: FormBody): {
  input: { lines: { variantId: string; quantity: number }[] };
  problems: FieldProblem[];
} {
  const variants = fieldValues(body, 'variant');
  const quantities = fieldValues(body, 'quantity');
  const problems: FieldProblem[] = [];
  const lines: { variantId: string; quantity: number }[] = [];
  variants.slice(0, 200).forEach((variantId, i) => {
    const q = parseInteger(quantities[i] ?? '', { min: 0, max: 999 });
    if (!q.ok) problems.push({ code: 'invalid', path: `/lines/${i}/quantity`, message: `Quantity: ${q.message}` });
    else lines.push({ variantId, quantity: q.value });
  });
  const added = field(body, 'addVariant', 100)?.trim();
  if (added) {
    const q = parseInteger(field(body, 'addQuantity', 20) ?? '', { min: 1, max: 999 });
    if (!q.ok)
      problems.push({ code: 'invalid', path: '/addQuantity', message: `Quantity of the added item: ${q.message}` });
    else {
      const existing = lines.find((l) => l.variantId === added);
      if (existing) existing.quantity += q.value;
      else lines.push({ variantId: added, quantity: q.value });
    }
  }
  return { input: { lines }, problems };
}

/** A transition asked for: Reject and Cancel come back with `confirm=1` from the "Are you sure?" step. */
export function readTransitionForm(body: FormBody): { to: string; note: string | null; confirmed: boolean } {
  return {
    to: field(body, 'to', 20) ?? '',
    note: field(body, 'note', 500)?.trim() || null,
    confirmed: field(body, 'confirm', 5) === '1',
  };
}
