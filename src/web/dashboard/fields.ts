/**
 * Labelled form controls for dashboard forms: every input has a `<label for>`, its error is tied to it with
 * `aria-describedby` and `aria-invalid`, and everything a person typed is escaped by `html`.
 */
import { attrs, html, type Html } from '../html.js';
import type { FormProblem } from '../forms.js';

export interface FieldOptions {
  name: string;
  label: string;
  value?: string | null;
  problem?: FormProblem | null;
  /** Distinguishes controls of the same name in several forms of one page (one per variant). */
  idPrefix?: string;
  hint?: string;
  required?: boolean;
  testid?: string;
}

export interface InputOptions extends FieldOptions {
  type?: 'text' | 'tel' | 'search' | 'number' | 'date' | 'url' | 'file';
  inputmode?: 'text' | 'decimal' | 'numeric' | 'tel' | 'search';
  autocomplete?: string;
  placeholder?: string;
  maxlength?: number;
  pattern?: string;
  accept?: string;
  autofocus?: boolean;
  /** A photo input: with JS, app.js scales the chosen photo down to this many px (longest side) before upload. */
  resize?: number;
}

const fieldId = (o: FieldOptions) => `${o.idPrefix ?? 'f'}-${o.name}`;
const invalid = (o: FieldOptions) => (o.problem?.fields[o.name] ? 'true' : undefined);

function describedBy(o: FieldOptions, id: string): string | undefined {
  const ids = [o.hint ? `${id}-hint` : null, o.problem?.fields[o.name] ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function below(o: FieldOptions, id: string): Html {
  const message = o.problem?.fields[o.name];
  const hint = o.hint ? html`<p class="small muted" id="${id}-hint">${o.hint}</p>` : '';
  const error = message
    ? html`<p class="field-error" id="${id}-error" data-testid="error-${o.name}">${message}</p>`
    : '';
  return html`${hint}${error}`;
}

export function input(o: InputOptions): Html {
  const id = fieldId(o);
  return html`<label for="${id}">${o.label}</label>
<input${attrs({
    id,
    name: o.name,
    type: o.type ?? 'text',
    value: o.type === 'file' ? undefined : (o.value ?? ''),
    inputmode: o.inputmode,
    autocomplete: o.autocomplete,
    placeholder: o.placeholder,
    maxlength: o.maxlength,
    pattern: o.pattern,
    accept: o.accept,
    required: o.required,
    autofocus: o.autofocus,
    'aria-invalid': invalid(o),
    'aria-describedby': describedBy(o, id),
    'data-testid': o.testid,
    'data-resize': o.resize,
  })}>${below(o, id)}`;
}

/** Money typed in major units ("49.99"); the server reads it with parseMoney, never as a float. */
export function moneyInput(o: FieldOptions & { currency: string; placeholder?: string }): Html {
  const unit = o.currency === 'INR' ? '₹' : o.currency;
  // "Price" → "Price (₹)"; "Free delivery from (optional)" → "Free delivery from (₹, optional)" (any language).
  const m = / \(([^()]*)\)$/.exec(o.label);
  const label = m ? `${o.label.slice(0, m.index)} (${unit}, ${m[1]})` : `${o.label} (${unit})`;
  return input({ ...o, label, inputmode: 'decimal', autocomplete: 'off', maxlength: 20, placeholder: o.placeholder });
}

export function textarea(o: FieldOptions & { maxlength?: number; rows?: number }): Html {
  const id = fieldId(o);
  return html`<label for="${id}">${o.label}</label>
<textarea${attrs({
    id,
    name: o.name,
    maxlength: o.maxlength,
    rows: o.rows ?? 3,
    'aria-invalid': invalid(o),
    'aria-describedby': describedBy(o, id),
    'data-testid': o.testid,
  })}>${o.value ?? ''}</textarea>${below(o, id)}`;
}

export function select(o: FieldOptions & { options: readonly { value: string; label: string }[] }): Html {
  const id = fieldId(o);
  return html`<label for="${id}">${o.label}</label>
<select${attrs({
    id,
    name: o.name,
    'aria-invalid': invalid(o),
    'aria-describedby': describedBy(o, id),
    'data-testid': o.testid,
  })}>${o.options.map(
    (opt) => html`<option${attrs({ value: opt.value, selected: opt.value === (o.value ?? '') })}>${opt.label}</option>`,
  )}</select>${below(o, id)}`;
}

export function checkboxInput(o: Omit<FieldOptions, 'value'> & { checked: boolean }): Html {
  const id = fieldId(o);
  return html`<label class="choice" for="${id}"><input${attrs({
    id,
    type: 'checkbox',
    name: o.name,
    value: '1',
    checked: o.checked,
    'aria-describedby': o.hint ? `${id}-hint` : undefined,
    'data-testid': o.testid,
  })}> ${o.label}</label>${below(o, id)}`;
}
