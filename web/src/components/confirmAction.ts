import { ElMessageBox } from 'element-plus';

/**
 * Asks before an action that moves money or locks a statement (run, approve, pay): the message says
 * what will happen — the period, the provider, the amount. True only when the user confirms; closing
 * or cancelling sends nothing.
 */
export async function confirmAction(title: string, message: string, confirmButtonText: string): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, { confirmButtonText, cancelButtonText: '取消', type: 'warning', distinguishCancelAndClose: false });
    return true;
  } catch {
    return false;
  }
}
