/**
 * A senior may belong to several categories; for the period summary each line counts under one,
 * the first in this order of need (the order district reports list them in), so the category rows
 * add up to the total.
 */
export const CATEGORIES_BY_NEED = ['three_nos', 'extreme_hardship', 'low_income', 'disabled', 'living_alone', 'empty_nest', 'advanced_age'] as const;

export function primaryCategory(categories: readonly string[]): string {
  return CATEGORIES_BY_NEED.find((category) => categories.includes(category)) ?? categories[0] ?? 'uncategorised';
}
