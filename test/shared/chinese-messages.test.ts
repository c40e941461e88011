import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isDomainError } from '../../src/shared/errors.ts';
import { parseInput } from '../../src/shared/http/validate.ts';

// Every message a client can be shown is Chinese: a DomainError's detail, a schema's refinement.
// The HTTP tests can reach only some of them; this reads all of src/ for the forms they are
// written in and fails on one with no Chinese that is not a bilingual(zh, en) pair. Operator-facing
// text stays English on purpose: log lines, Error()s that become 500s (never shown: the error
// handler answers 服务器内部错误), and src/config/ (start-up refusals read by whoever deploys).
const SOURCES = path.resolve('src');
const HAS_CHINESE = /[\u4e00-\u9fff]/;
/** `message: '…'` / `message: `…`` and zod's second argument `regex(…, '…')` / `refine(…, '…')`. */
const USER_TEXT = [/\bmessage: (['`])((?:(?!\1).)*)\1/g, /\.(?:regex|refine)\((?:[^,()]|\([^()]*\))+, (['`])((?:(?!\1).)*)\1\)/g];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === path.join(SOURCES, 'config') ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  }));
  return nested.flat();
}

export function englishMessages(source: string): string[] {
  const found: string[] = [];
  for (const line of source.split('\n')) {
    if (/\b(?:log|logger)\.\w+\(|throw new Error\(/.test(line)) continue;
    for (const pattern of USER_TEXT) {
      for (const match of line.matchAll(pattern)) {
        const text = match[2] as string;
        if (/[A-Za-z]/.test(text) && !HAS_CHINESE.test(text)) found.push(text);
      }
    }
  }
  return found;
}

describe('messages shown to people', () => {
  it('finds an English message in each form it is written in (the check itself)', () => {
    expect(englishMessages("throw new DomainError('X', [{ path: 'a', message: 'not allowed' }]);")).to.deep.equal(['not allowed']);
    expect(englishMessages('problems.push({ path, message: `required for ${role}` });')).to.deep.equal(['required for ${role}']);
    expect(englishMessages("z.string().regex(/^\\d{6}$/, 'six digits')")).to.deep.equal(['six digits']);
    expect(englishMessages("z.array(x).refine((d) => new Set(d).size === d.length, 'must not repeat')")).to.deep.equal(['must not repeat']);
    expect(englishMessages("message: bilingual('不能为空', 'required')")).to.deep.equal([]);
    expect(englishMessages("message: ctx.lang === 'zh' ? '社区不存在' : 'No such community'")).to.deep.equal([]);
    expect(englishMessages("logger.warn({ message: 'retrying' }, 'x')")).to.deep.equal([]);
  });

  it("put zod's issues in plain Chinese: what to do, not types and operators", () => {
    const schema = z.object({
      text: z.string().min(1), code: z.string().min(6).max(6), count: z.number().int().min(1).max(10), kind: z.enum(['a', 'b']),
      day: z.iso.date(), tags: z.array(z.string()).min(1), must: z.string(),
    }).strict();
    const messagesOf = (input: unknown) => {
      try {
        parseInput(schema, input, 'zh');
      } catch (error) {
        if (isDomainError(error)) return Object.fromEntries(error.details.map((d) => [d.path, d.message]));
      }
      throw new Error('expected a validation error');
    };
    expect(messagesOf({ text: '', code: '12', count: 1.5, kind: 'c', day: '2026-13-40', tags: [], extra: 1 })).to.deep.equal({
      text: '不能为空', code: '至少 6 个字', count: '应为整数', kind: '不是可选的值', day: '格式不正确，应为日期（如 2026-12-01）', tags: '至少选择一项', must: '必填', extra: '不允许的字段',
    });
    expect(messagesOf({ text: 5, code: '1234567', count: 11, kind: 'a', day: '2026-12-01', tags: ['x'], must: null })).to.deep.equal({
      text: '应为文字', code: '最多 6 个字', count: '不能大于 10', must: '不能为空',
    });
  });

  it('are Chinese (or a bilingual pair) everywhere in src/', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(SOURCES)) {
      for (const text of englishMessages(await readFile(file, 'utf8'))) offenders.push(`${path.relative(SOURCES, file)}: ${text}`);
    }
    expect(offenders).to.deep.equal([]);
  });
});
