import { z } from 'zod';
import { DomainError, type ErrorDetail } from '../errors.ts';
import { localise, type Language } from '../i18n.ts';
import { plainChineseErrors } from './plain-chinese-errors.ts';

const LOCALE_ERRORS = { zh: plainChineseErrors, en: z.locales.en().localeError };

export function detailsOf(error: z.ZodError, lang: Language, prefix: string[] = []): ErrorDetail[] {
  return error.issues.flatMap((issue) => {
    const base = [...prefix, ...issue.path.map(String)];
    // One detail per unknown key, so the client sees each field it should not have sent.
    if (issue.code === 'unrecognized_keys') {
      const message = lang === 'zh' ? '不允许的字段' : 'Unknown field';
      return issue.keys.map((key) => ({ path: [...base, key].join('.'), message }));
    }
    return [{ path: base.join('.'), message: localise(issue.message, lang) }];
  });
}

/** Parses untrusted input; on failure throws 400 VALIDATION_FAILED naming every field at fault. */
export function parseInput<T extends z.core.$ZodType>(schema: T, value: unknown, lang: Language): z.output<T> {
  const hidden = hiddenCharacterPaths(value);
  if (hidden.length > 0) {
    const message = lang === 'zh' ? '不能包含控制字符（如空字符）或文字方向控制符' : 'must not contain control characters (NUL…) or text-direction overrides';
    throw new DomainError('VALIDATION_FAILED', hidden.map((path) => ({ path, message })));
  }
  const result = z.safeParse(schema, value, { error: LOCALE_ERRORS[lang] as z.core.$ZodErrorMap });
  if (result.success) return result.data;
  throw new DomainError('VALIDATION_FAILED', detailsOf(result.error, lang));
}

/**
 * Characters nobody types and that make stored text lie: C0 controls other than tab and line
 * breaks (a NUL cuts a name short in C-based systems downstream), DEL and C1 controls, and the
 * bidirectional overrides and isolates (a right-to-left override shows 王伟 where 伟王 is stored, or
 * hides a file extension). Refused in every request's input, whatever the field.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HIDDEN_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** No request schema nests deeper; past it the schema refuses the input anyway (and a walk must not overflow). */
const MAX_DEPTH = 32;

/** The paths (a.b.0) of the strings in `value` that hold a hidden character; keys count as strings too. */
function hiddenCharacterPaths(value: unknown): string[] {
  const found: string[] = [];
  const pending: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: item, path } = next;
    if (typeof item === 'string') {
      if (HIDDEN_CHARACTERS.test(item)) found.push(path.join('.'));
    } else if (item && typeof item === 'object' && path.length < MAX_DEPTH) {
      for (const [key, child] of Object.entries(item)) {
        if (HIDDEN_CHARACTERS.test(key)) found.push([...path, key].join('.'));
        pending.push({ value: child, path: [...path, key] });
      }
    }
  }
  return found.sort();
}
