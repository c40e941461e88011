import { ref } from 'vue';

/**
 * A confirmation PIN the API has just answered (enrolment), handed from the enrolment page to the
 * senior's page in memory only: shown once there, gone on reload, never in the URL or storage.
 */
const fresh = ref<{ seniorId: string; pin: string } | null>(null);

export function handOverPin(seniorId: string, pin: string): void {
  fresh.value = { seniorId, pin };
}

/** The PIN just answered for this senior, once: taking it clears it. */
export function takePin(seniorId: string): string | null {
  if (fresh.value?.seniorId !== seniorId) return null;
  const { pin } = fresh.value;
  fresh.value = null;
  return pin;
}
