import type { z } from 'zod';

/**
 * zod's messages in plain Chinese, for the people who read them: a community worker sees them
 * under a field, an integrator in the API's `details`. zod's own zh-CN locale speaks in types and
 * operators ("数值过小：期望 string >=1 字符", "无效输入：期望 number，实际接收 undefined"); these say
 * what to do ("不能为空", "至少 6 个字", "应为数字"). A schema's own message (a refinement, a
 * `bilingual(...)` pair) is kept as it is: zod asks the map only for issues without one.
 */
const KIND_ZH: Record<string, string> = {
  string: '文字', number: '数字', int: '整数', bigint: '整数', boolean: '是或否', array: '列表', object: '对象', date: '日期', file: '文件',
};
const UNIT_ZH: Record<string, string> = { string: '个字', array: '项', set: '项', file: '字节' };
const FORMAT_ZH: Record<string, string> = {
  email: '电子邮箱', url: '网址', uuid: '编号', datetime: '日期时间（如 2026-12-01T09:00:00+08:00）', date: '日期（如 2026-12-01）',
  time: '时间（如 09:00）', base64: 'Base64 文本', json_string: 'JSON 文本',
};

export const plainChineseErrors: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return '必填';
      if (issue.input === null) return '不能为空';
      return `应为${KIND_ZH[issue.expected] ?? '正确的类型'}`;
    case 'too_small': {
      const unit = UNIT_ZH[issue.origin];
      const minimum = Number(issue.minimum);
      if (unit && minimum === 1 && issue.inclusive !== false) return issue.origin === 'string' ? '不能为空' : '至少选择一项';
      if (unit) return `至少 ${issue.inclusive === false ? minimum + 1 : minimum} ${unit}`;
      if (issue.origin === 'date') return '日期太早';
      return issue.inclusive === false ? `应大于 ${minimum}` : `不能小于 ${minimum}`;
    }
    case 'too_big': {
      const unit = UNIT_ZH[issue.origin];
      const maximum = Number(issue.maximum);
      if (unit) return `最多 ${issue.inclusive === false ? maximum - 1 : maximum} ${unit}`;
      if (issue.origin === 'date') return '日期太晚';
      return issue.inclusive === false ? `应小于 ${maximum}` : `不能大于 ${maximum}`;
    }
    case 'invalid_format':
      return FORMAT_ZH[issue.format] ? `格式不正确，应为${FORMAT_ZH[issue.format]}` : '格式不正确';
    case 'invalid_value':
      if (issue.input === undefined) return '必填';
      return issue.values.length === 1 ? '取值不正确' : '不是可选的值';
    case 'not_multiple_of':
      return Number(issue.divisor) === 1 ? '应为整数' : `应为 ${String(issue.divisor)} 的倍数`;
    case 'unrecognized_keys':
      return '不允许的字段';
    default:
      return '填写不正确';
  }
};
