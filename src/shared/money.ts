/**
 * Money is integer fen everywhere; yuan exist only at the edges, in files people open. The text
 * form is built from the integer (never from a float), so 1 fen is always "0.01".
 */
export function yuanText(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new Error(`not a whole number of fen: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Yuan as a spreadsheet number (shown with a two-decimal format); for display cells only. */
export const yuanNumber = (fen: number): number => Number(yuanText(fen));
