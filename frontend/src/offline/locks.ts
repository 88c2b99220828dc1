// The Web Locks API as the offline code uses it: one named lock across every tab of this origin.

export interface Locks {
  /** Run `task` while holding the lock `name`; other tabs asking for it wait until it ends. `waited`
   * says whether another holder had it first (and so has just finished what the lock guards). */
  request<T>(name: string, task: (waited: boolean) => Promise<T>): Promise<T>;
}

/** This browser's locks, or null where the API is missing (older browsers, insecure origins, tests). */
export function browserLocks(): Locks | null {
  const manager = globalThis.navigator?.locks;
  if (!manager) return null;
  return {
    async request<T>(name: string, task: (waited: boolean) => Promise<T>): Promise<T> {
      const now = (await manager.request(name, { ifAvailable: true }, async (lock) => (lock ? { value: await task(false) } : null))) as {
        value: T;
      } | null;
      if (now) return now.value;
      return (await manager.request(name, () => task(true))) as T;
    },
  };
}
