import { ElMessage } from 'element-plus';
import { reactive, ref } from 'vue';
import { clearErrorsOnChange, useServerErrors } from '../api/errors.ts';

/** The fields left empty ('' or [] or null), each with its message: a form's check before it sends. */
export function missing<T extends object>(fields: T, messages: Partial<Record<keyof T & string, string>>): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const [field, message] of Object.entries(messages) as [keyof T & string, string][]) {
    const value = fields[field] as unknown;
    if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0)) problems[field] = message;
  }
  return problems;
}

/**
 * State of a create dialog: fresh fields at each opening, the form's own check before anything is
 * sent (`check`: field → message), the server's field errors beside the fields after, each error
 * gone as soon as its field changes, and a success message then `after()` (usually a reload).
 */
export function useCreateForm<T extends object>(blank: () => T, save: (fields: T) => Promise<unknown>, success: string, after: () => unknown, check: (fields: T) => Record<string, string> = () => ({})) {
  const open = ref(false);
  const busy = ref(false);
  const fields = reactive(blank()) as T;
  const { errors, show, clear } = useServerErrors();
  clearErrorsOnChange(errors, fields);

  function start(): void {
    Object.assign(fields, blank());
    clear();
    open.value = true;
  }

  async function submit(): Promise<void> {
    clear();
    const problems = check(fields);
    if (Object.keys(problems).length > 0) {
      Object.assign(errors, problems);
      return;
    }
    busy.value = true;
    try {
      await save(fields);
      ElMessage.success(success);
      open.value = false;
      await after();
    } catch (error) {
      show(error);
    } finally {
      busy.value = false;
    }
  }

  return { open, busy, fields, errors, start, submit };
}
