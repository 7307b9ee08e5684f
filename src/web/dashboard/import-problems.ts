/** The import's per-row problems in the page's language (the API keeps its English `message`). */
import type { ImportProblem } from '../../catalog/import-plan.js';
import type { Translate } from '../../i18n/index.js';
import { fieldMessage } from './field-messages.js';

export function importProblemText(tr: Translate, lang: string, problem: ImportProblem): string {
  const p = problem.params ?? {};
  switch (problem.code) {
    case 'invalid_csv':
      return tr('dashboard.import.err.invalidCsv');
    case 'empty':
      return tr('dashboard.import.err.empty');
    case 'missing_column':
      return tr('dashboard.import.err.missingColumn', { field: p.field ?? '' });
    case 'too_many_rows':
      return tr('dashboard.import.err.tooManyRows', { max: p.max ?? 0 });
    case 'invalid':
      return tr('dashboard.import.err.controlCharacter');
    case 'required':
      return tr('dashboard.import.err.nameEmpty');
    case 'too_long':
      return p.field === 'searchTerms'
        ? tr('dashboard.import.err.termTooLong', { max: p.max ?? 0 })
        : tr('dashboard.import.err.tooLong', { field: p.field ?? '', max: p.max ?? 0 });
    case 'invalid_price':
    case 'invalid_mrp':
      return tr('dashboard.import.err.amount', {
        field: p.field ?? '',
        detail: fieldMessage(tr, lang, String(p.detail ?? '')),
      });
    case 'invalid_stock':
      return tr('dashboard.import.err.stock', { max: p.max ?? 0 });
    case 'too_many_terms':
      return tr('dashboard.import.err.tooManyTerms', { max: p.max ?? 0 });
    case 'invalid_hsn':
      return tr('dashboard.import.err.hsn');
    case 'duplicate':
      return p.sku !== undefined
        ? tr('dashboard.import.err.duplicateSku', { sku: p.sku, other: p.other ?? 0 })
        : tr('dashboard.import.err.duplicate', { other: p.other ?? 0 });
    case 'too_many_variants':
      return tr('dashboard.import.err.tooManyVariants', { max: p.max ?? 0 });
    default:
      // A problem this page does not know yet: its English text, or on a Hindi page a plain "check it".
      return fieldMessage(tr, lang, problem.message);
  }
}
