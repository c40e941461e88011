import { reactive, ref, watch, type Ref } from 'vue';
import { notifyError } from '../api/errors.ts';
import { api, type Page, type Query } from '../api/http.ts';

/**
 * A server-paged list with filters: changing a filter goes back to page 1; `reload()` after an
 * action keeps the page. Every list page of the console is one of these over an API list.
 */
export function usePagedList<T>(path: string | (() => string), filters: Ref<Query> = ref({}), pageSize = 20) {
  const items = ref<T[]>([]) as Ref<T[]>;
  const state = reactive({ page: 1, pageSize, total: 0, loading: false });

  async function reload(): Promise<void> {
    state.loading = true;
    try {
      const target = typeof path === 'function' ? path() : path;
      const answer = await api.get<Page<T>>(target, { ...filters.value, page: state.page, pageSize: state.pageSize });
      items.value = answer.items;
      state.total = answer.total;
    } catch (error) {
      notifyError(error);
    } finally {
      state.loading = false;
    }
  }

  watch(filters, () => {
    state.page = 1;
    void reload();
  }, { deep: true });
  watch(() => state.page, () => void reload());

  return { items, state, reload };
}
