import { session } from './session.ts';

/** An answer of the API's error shape: `{ error: { code, message, details, requestId } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
    readonly body: unknown = undefined,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

const BASE = '/api/v1';

function urlOf(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `${BASE}${path}${search ? `?${search}` : ''}`;
}

async function send(method: string, path: string, init: { query?: Query; body?: unknown; form?: FormData; headers?: Record<string, string> }): Promise<Response> {
  const headers: Record<string, string> = { 'Accept-Language': 'zh-CN', ...init.headers };
  const token = session.accessToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (init.form) body = init.form;
  else if (init.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  return fetch(urlOf(path, init.query), { method, headers, body });
}

/**
 * Sends a request with the signed-in user's token. On a 401 it refreshes the token pair once and
 * retries, so a 15-minute access token never interrupts work; a failed refresh ends the session.
 */
async function authorised(method: string, path: string, init: { query?: Query; body?: unknown; form?: FormData; headers?: Record<string, string> } = {}): Promise<Response> {
  let response = await send(method, path, init);
  if (response.status === 401 && session.accessToken() && (await session.refresh())) {
    response = await send(method, path, init);
  }
  if (response.status === 401 && session.accessToken()) session.expire();
  return response;
}

async function errorOf(response: Response): Promise<ApiError> {
  const body = await response.json().catch(() => undefined) as { error?: { code: string; message: string; details?: { path: string; message: string }[] } } | undefined;
  const error = body?.error;
  return new ApiError(response.status, error?.code ?? 'HTTP_ERROR', error?.message ?? `请求失败（${response.status}）`, error?.details ?? [], body);
}

async function json<T>(method: string, path: string, init: { query?: Query; body?: unknown; form?: FormData; headers?: Record<string, string> } = {}): Promise<T> {
  const response = await authorised(method, path, init);
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  return await response.json() as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => json<T>('GET', path, { query }),
  post: <T>(path: string, body: unknown = {}, query?: Query) => json<T>('POST', path, { body, query }),
  /** A POST the server keys by `Idempotency-Key`: the same key again finds what the first made. */
  postOnce: <T>(path: string, body: unknown, idempotencyKey: string) => json<T>('POST', path, { body, headers: { 'Idempotency-Key': idempotencyKey } }),
  patch: <T>(path: string, body: unknown) => json<T>('PATCH', path, { body }),
  upload: <T>(path: string, form: FormData, query?: Query) => json<T>('POST', path, { form, query }),
  /** A file answer (exports): the bytes and the name from Content-Disposition. */
  async download(path: string, query?: Query): Promise<{ blob: Blob; fileName: string | null }> {
    const response = await authorised('GET', path, { query });
    if (!response.ok) throw await errorOf(response);
    return { blob: await response.blob(), fileName: fileNameOf(response.headers.get('Content-Disposition')) };
  },
  /** Unauthenticated calls (login, refresh): no retry, no token. */
  async anonymous<T>(path: string, body: unknown): Promise<T> {
    const response = await fetch(urlOf(path), { method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN' }, body: JSON.stringify(body) });
    if (!response.ok) throw await errorOf(response);
    return (response.status === 204 ? undefined : await response.json()) as T;
  },
};

/** RFC 6266: prefers `filename*=UTF-8''…` (Chinese names) over the ASCII `filename=`. */
export function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (extended?.[1]) return decodeURIComponent(extended[1].trim());
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain?.[1]?.trim() ?? null;
}

/** All pages of a list (for small reference lists such as streets or service types). */
export async function listAll<T>(path: string, query: Query = {}): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page += 1) {
    const answer = await api.get<Page<T>>(path, { ...query, page, pageSize: 200 });
    items.push(...answer.items);
    if (items.length >= answer.total || answer.items.length === 0) return items;
  }
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}
