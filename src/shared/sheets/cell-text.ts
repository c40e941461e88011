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
  if (value instanceof Date) return dateText(value);
  if ('richText' in value) return value.richText.map((run) => run.text ?? '').join('');
  if ('hyperlink' in value) return cellText(value.text as CellValue);
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result as CellValue);
  // Error cells (#N/A, #REF!…) and unresolved shared strings carry no text.
  return '';
}

/**
 * Excel keeps a date-time as a wall-clock reading without a zone, which exceljs hands over as that
 * reading in UTC: the text is the reading itself ("2026-11-03 09:05"), the day alone when it has no
 * time of day (a birth date), seconds only when there are some. The importer says the zone.
 */
function dateText(value: Date): string {
  if (Number.isNaN(value.getTime())) return '';
  const iso = value.toISOString();
  const day = iso.slice(0, 10);
  if (iso.slice(11, 19) === '00:00:00') return day;
  return iso.slice(17, 19) === '00' ? `${day} ${iso.slice(11, 16)}` : `${day} ${iso.slice(11, 19)}`;
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
