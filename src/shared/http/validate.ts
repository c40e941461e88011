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
  const result = z.safeParse(schema, value, { error: LOCALE_ERRORS[lang] as z.core.$ZodErrorMap });
  if (result.success) return result.data;
  throw new DomainError('VALIDATION_FAILED', detailsOf(result.error, lang));
}
