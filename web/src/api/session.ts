import { reactive, readonly } from 'vue';
import { api } from './http.ts';
import type { Role, User } from './types.ts';

interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
}

// sessionStorage, not localStorage: a console left open on a shared office computer is signed out
// when its tab closes, and each tab is a session of its own.
const STORE_KEY = 'starlight.session';

const state = reactive<{ user: User | null; accessToken: string | null; refreshToken: string | null; expired: boolean }>({
  user: null,
  accessToken: null,
  refreshToken: null,
  expired: false,
});

function persist(): void {
  if (state.accessToken) sessionStorage.setItem(STORE_KEY, JSON.stringify({ user: state.user, accessToken: state.accessToken, refreshToken: state.refreshToken }));
  else sessionStorage.removeItem(STORE_KEY);
}

function restore(): void {
  const saved = sessionStorage.getItem(STORE_KEY);
  if (!saved) return;
  try {
    Object.assign(state, JSON.parse(saved) as object);
  } catch {
    sessionStorage.removeItem(STORE_KEY);
  }
}

function adopt(pair: TokenPair): void {
  state.user = pair.user;
  state.accessToken = pair.accessToken;
  state.refreshToken = pair.refreshToken;
  state.expired = false;
  persist();
}

function clear(): void {
  state.user = null;
  state.accessToken = null;
  state.refreshToken = null;
  persist();
}

// Refresh tokens rotate and a token used twice revokes the whole family, so requests failing
// together must share one refresh instead of each spending the same token.
let refreshing: Promise<boolean> | null = null;

export const session = {
  state: readonly(state),
  accessToken: () => state.accessToken,
  user: () => state.user,
  hasRole: (...roles: Role[]) => state.user !== null && roles.includes(state.user.role),
  restore,

  async login(username: string, password: string): Promise<User> {
    adopt(await api.anonymous<TokenPair>('/auth/login', { username, password }));
    return state.user as User;
  },

  refresh(): Promise<boolean> {
    refreshing ??= (async () => {
      const token = state.refreshToken;
      if (!token) return false;
      try {
        adopt(await api.anonymous<TokenPair>('/auth/refresh', { refreshToken: token }));
        return true;
      } catch {
        return false;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  },

  /** Re-reads the user from `/me`, so a role or scope changed by an admin shows at once. */
  async reload(): Promise<void> {
    state.user = await api.get<User>('/me');
    persist();
  },

  async logout(): Promise<void> {
    const token = state.refreshToken;
    try {
      if (token) await api.post('/auth/logout', { refreshToken: token });
    } finally {
      clear();
    }
  },

  /** The refresh failed too: the user must sign in again (the router watches `expired`). */
  expire(): void {
    clear();
    state.expired = true;
  },
};
