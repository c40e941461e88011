import { ElMessage } from 'element-plus';
import { reactive, watch } from 'vue';
import { ApiError } from './http.ts';

/**
 * The server's field errors (`details: [{path, message}]`) beside the form fields they name:
 * `errors.idNumber` feeds `<el-form-item :error>`. Keys are the first path segment, or the full
 * dotted path for nested fields (`emergencyContacts.0.phone`).
 */
export function useServerErrors() {
  const errors = reactive<Record<string, string>>({});
  return {
    errors,
    clear(): void {
      for (const key of Object.keys(errors)) delete errors[key];
    },
    /** Shows a failed call: field errors beside their fields, anything else as a message. */
    show(error: unknown): void {
      for (const key of Object.keys(errors)) delete errors[key];
      if (error instanceof ApiError && error.details.length > 0) {
        for (const detail of error.details) {
          errors[detail.path] ??= detail.message;
          const top = detail.path.split('.')[0] ?? detail.path;
          errors[top] ??= detail.message;
        }
      }
      notifyError(error);
    },
  };
}

/**
 * A field's error goes as soon as the field changes: the user is fixing it, and an error left
 * beside a corrected field reads as if the correction were wrong. Nested errors go with their
 * field (`emergencyContacts.0.phone` with `emergencyContacts`). `aliases` names the error keys of
 * a field stored under another name (the order form's `time` is the API's `scheduledStart`).
 */
export function clearErrorsOnChange(errors: Record<string, string>, form: object, aliases: Record<string, string[]> = {}): void {
  const snapshot = () => Object.fromEntries(Object.entries(form).map(([key, value]) => [key, JSON.stringify(value)]));
  let before = snapshot();
  watch(() => snapshot(), (now) => {
    for (const [field, value] of Object.entries(now)) {
      if (value === before[field]) continue;
      for (const key of [field, ...(aliases[field] ?? [])]) {
        for (const path of Object.keys(errors)) if (path === key || path.startsWith(`${key}.`)) Reflect.deleteProperty(errors, path);
      }
    }
    before = now;
  });
}

export function notifyError(error: unknown): void {
  ElMessage.error({ message: messageOf(error), grouping: true });
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    const first = error.details[0];
    return first ? `${error.message}：${first.message}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
