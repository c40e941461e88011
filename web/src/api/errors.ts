import { ElMessage } from 'element-plus';
import { reactive } from 'vue';
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
