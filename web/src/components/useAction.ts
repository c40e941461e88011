import { ElMessage } from 'element-plus';
import { ref } from 'vue';
import { notifyError } from '../api/errors.ts';

/**
 * A button's call: `busy` while it runs (the button shows progress and cannot be pressed twice),
 * a failure shown as a message. Answers the call's result, or undefined when it failed.
 */
export function useAction() {
  const busy = ref(false);
  async function run<T>(call: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    try {
      return await call();
    } catch (error) {
      notifyError(error);
      return undefined;
    } finally {
      busy.value = false;
    }
  }
  return { busy, run };
}

/** A change made from a list or detail page: the call, its success message, then the page reloaded. */
export async function changeThenReload(call: () => Promise<unknown>, success: string, reload: () => unknown): Promise<boolean> {
  try {
    await call();
  } catch (error) {
    notifyError(error);
    return false;
  }
  ElMessage.success(success);
  await reload();
  return true;
}
