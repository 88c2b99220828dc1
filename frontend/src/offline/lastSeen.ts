// The task list pages last seen, so a reload or a list change without a network still shows tasks.
// Kept in localStorage (never in the service worker's caches: the pages are one person's data) and
// emptied on sign-out. Keys are the caller's; the client uses lastSeenKey(user, path).

const PREFIX = "tms.lastSeen:";
const INDEX = `${PREFIX}index`;
/** The most pages kept; the least recently saved go first. */
const LIMIT = 30;

export interface LastSeenStore {
  save(key: string, data: unknown): void;
  load<T>(key: string): T | null;
  /** Every saved key, most recent first. */
  keys(): string[];
  clear(): void;
}

/** The key of one list page of one person. */
export function lastSeenKey(user: string, path: string): string {
  return `${user} ${path}`;
}

export function createLastSeen(storage: () => Storage | undefined = () => globalThis.localStorage, limit = LIMIT): LastSeenStore {
  function index(store: Storage): string[] {
    try {
      const keys: unknown = JSON.parse(store.getItem(INDEX) ?? "[]");
      return Array.isArray(keys) ? keys.filter((key): key is string => typeof key === "string") : [];
    } catch {
      return [];
    }
  }

  return {
    save(key, data) {
      const store = storage();
      if (!store) return;
      const keys = [key, ...index(store).filter((k) => k !== key)];
      const text = JSON.stringify(data);
      // A full storage drops the oldest pages until this one fits, or gives up: the cache is a nicety.
      while (keys.length > 0) {
        for (const old of keys.splice(limit)) store.removeItem(PREFIX + old);
        try {
          store.setItem(PREFIX + key, text);
          store.setItem(INDEX, JSON.stringify(keys));
          return;
        } catch {
          const oldest = keys.pop();
          if (oldest === undefined || oldest === key) break;
          store.removeItem(PREFIX + oldest);
        }
      }
      store.removeItem(PREFIX + key);
    },
    load<T>(key: string): T | null {
      const text = storage()?.getItem(PREFIX + key);
      if (!text) return null;
      try {
        return JSON.parse(text) as T;
      } catch {
        return null;
      }
    },
    keys() {
      const store = storage();
      return store ? index(store) : [];
    },
    clear() {
      const store = storage();
      if (!store) return;
      for (let i = store.length - 1; i >= 0; i--) {
        const name = store.key(i);
        if (name?.startsWith(PREFIX)) store.removeItem(name);
      }
    },
  };
}

/** The app's store, in this browser's localStorage. */
export const lastSeen = createLastSeen();
