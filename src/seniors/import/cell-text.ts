import type { CellValue } from 'exceljs';

/**
 * A spreadsheet cell as the text a person typed. Community codes and phones are often typed as
 * numbers, so numbers keep every digit they still have and never turn into exponent notation
 * ("330102001001", not "3.30102001001e+11"). Rich text and hyperlinks give their visible text,
 * formulas their cached result, error cells nothing.
 */
export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((run) => run.text ?? '').join('');
  if ('hyperlink' in value) return cellText(value.text as CellValue);
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result as CellValue);
  // Error cells (#N/A, #REF!…) and unresolved shared strings carry no text.
  return '';
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (Number.isInteger(value)) {
    // Beyond 2^53 the digits are already what Excel kept (15 significant); BigInt prints them whole.
    return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
  }
  const plain = String(value);
  if (!/e/i.test(plain)) return plain;
  // Very small fractions: fixed notation with the trailing zeros removed.
  return value.toFixed(20).replace(/\.?0+$/, '');
}
