// The Web Locks API as the offline code uses it: one named lock across every tab of this origin.

export interface Locks {
  /** Run `task` while holding the lock `name`; other tabs asking for it wait until it ends. */
  request<T>(name: string, task: () => Promise<T>): Promise<T>;
}

/** This browser's locks, or null where the API is missing (older browsers, insecure origins, tests). */
export function browserLocks(): Locks | null {
  const manager = globalThis.navigator?.locks;
  if (!manager) return null;
  return { request: <T>(name: string, task: () => Promise<T>) => manager.request(name, () => task()) as Promise<T> };
}
