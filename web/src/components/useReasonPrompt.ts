import { ElMessageBox } from 'element-plus';

/** Asks for the reason an action needs (decline, cancel, dispute …); null when the user backs out. */
export async function askReason(title: string, message: string, confirmButtonText = '确定'): Promise<string | null> {
  try {
    const answer = await ElMessageBox.prompt(message, title, {
      confirmButtonText, cancelButtonText: '取消', inputType: 'textarea',
      inputValidator: (value) => (value?.trim() ? true : '请填写原因'),
    });
    return answer.value.trim();
  } catch {
    return null;
  }
}
