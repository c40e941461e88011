import { ElMessage } from 'element-plus';
import { reactive, ref } from 'vue';
import { clearErrorsOnChange, useServerErrors } from '../api/errors.ts';

/**
 * State of a create dialog: fresh fields at each opening, the server's field errors beside the
 * fields, and a success message then `after()` (usually a reload) when the call succeeds.
 */
export function useCreateForm<T extends object>(blank: () => T, save: (fields: T) => Promise<unknown>, success: string, after: () => unknown) {
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
    busy.value = true;
    clear();
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
