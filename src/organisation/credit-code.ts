/**
 * The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters over a 31-symbol
 * alphabet without I, O, Z, S and V (they read like digits), the last one a check character.
 * Its value is 31 − (Σ valueᵢ × weightᵢ mod 31) over the first 17 characters, where 31 is
 * written as '0'. Letters are accepted in lower case and normalised to upper case.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const SHAPE = /^[0-9ABCDEFGHJKLMNPQRTUWXY]{18}$/;

/** The upper-cased code, or null when it is not a well-formed code with a correct check character. */
export function normaliseCreditCode(input: string): string | null {
  const code = input.trim().toUpperCase();
  if (!SHAPE.test(code)) return null;
  return creditCodeCheckCharacter(code.slice(0, 17)) === code[17] ? code : null;
}

export function isValidCreditCode(input: string): boolean {
  return normaliseCreditCode(input) !== null;
}

/** The check character for the first 17 characters (already upper case, in the alphabet). */
export function creditCodeCheckCharacter(body: string): string {
  if (body.length !== 17) throw new Error('a credit code body has 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    const value = ALPHABET.indexOf(body[i] as string);
    if (value < 0) throw new Error(`'${body[i]}' is not allowed in a credit code`);
    sum += value * (WEIGHTS[i] as number);
  }
  const check = 31 - (sum % 31);
  return ALPHABET[check === 31 ? 0 : check] as string;
}
