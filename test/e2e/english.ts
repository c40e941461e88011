import type { Page } from 'playwright-core';

// What counts as visible English on a console page (the crawler's check, also used by tests that
// see a page with results the crawler cannot make): the Latin words left once data is set aside.

/** Latin words a Chinese user expects to see as they are. */
const ALLOWED = new Set(['XLSX', 'CSV', 'PDF', 'ID', 'GPS', 'UTF', 'GBK', 'km', 'min', 'kg']);
/** Text that is data, not wording: ids, order numbers, usernames, dates, credit codes, emails. */
const DATA_PATTERNS = [/\b[0-9a-f]{24}\b/g, /\b(?=[0-9a-f]*\d)[0-9a-f]{6,}\b/g, /\bGD\d{12,}\b/g, /\be2e\.[a-z]+\b/g, /\b\d{4}-\d{2}(-\d{2})?\b/g, /\b[0-9A-Z]{18}\b/g];

export function englishIn(text: string): string[] {
  let rest = text;
  for (const pattern of DATA_PATTERNS) rest = rest.replace(pattern, ' ');
  return [...new Set(rest.match(/[A-Za-z]+(?:['-][A-Za-z]+)*/g) ?? [])].filter((word) => word.length > 1 && !ALLOWED.has(word));
}

/**
 * Visible text of the page: what is rendered, plus placeholders and titles of what is shown. A
 * string, not a function: tsx names the test's functions with a helper the page does not have.
 */
export const visibleText = (page: Page): Promise<string> => page.evaluate<string>(`(() => {
  const shown = (element) => element.getClientRects().length > 0;
  const attributes = [...document.querySelectorAll('[placeholder], [title]')].filter(shown)
    .map((element) => (element.getAttribute('placeholder') || '') + ' ' + (element.getAttribute('title') || ''));
  // A code shown as a code (<code>: a service code people type in an import) is data, not wording.
  let text = document.body.innerText;
  for (const code of document.querySelectorAll('code')) if (code.innerText) text = text.replace(code.innerText, ' ');
  return document.title + '\\n' + text + '\\n' + attributes.join('\\n');
})()`);
