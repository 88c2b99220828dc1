import { beforeEach, describe, expect, it } from "vitest";
import { createLastSeen, lastSeenKey } from "./lastSeen";

beforeEach(() => localStorage.clear());

describe("lastSeen", () => {
  it("keeps pages by key until cleared", () => {
    const store = createLastSeen();
    store.save(lastSeenKey("1", "/api/tasks/?parent=none"), { results: [{ id: 5 }] });
    expect(store.load(lastSeenKey("1", "/api/tasks/?parent=none"))).toEqual({ results: [{ id: 5 }] });
    expect(store.load(lastSeenKey("2", "/api/tasks/?parent=none"))).toBeNull();
    localStorage.setItem("tms.language", "de");
    store.clear();
    expect(store.load(lastSeenKey("1", "/api/tasks/?parent=none"))).toBeNull();
    expect(store.keys()).toEqual([]);
    expect(localStorage.getItem("tms.language")).toBe("de"); // only its own entries go
  });

  it("keeps the most recently saved pages, up to its limit", () => {
    const store = createLastSeen(undefined, 2);
    store.save("a", 1);
    store.save("b", 2);
    store.save("a", 3);
    store.save("c", 4);
    expect(store.keys()).toEqual(["c", "a"]);
    expect(store.load("b")).toBeNull();
    expect(store.load("a")).toBe(3);
  });

  it("a full storage drops old pages to make room, and never throws", () => {
    const items = new Map<string, string>();
    const tiny = {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => {
        const size = [...items.entries()].filter(([key]) => key !== k).reduce((n, [, value]) => n + value.length, 0);
        if (size + v.length > 60) throw new DOMException("full", "QuotaExceededError");
        items.set(k, v);
      },
      removeItem: (k: string) => void items.delete(k),
      key: (i: number) => [...items.keys()][i] ?? null,
      get length() {
        return items.size;
      },
      clear: () => items.clear(),
    } as Storage;
    const store = createLastSeen(() => tiny);
    store.save("old", "x".repeat(30));
    store.save("new", "y".repeat(20));
    expect(store.load("new")).toBe("y".repeat(20));
    expect(store.load("old")).toBeNull();
    expect(() => store.save("huge", "z".repeat(100))).not.toThrow();
    expect(store.load("huge")).toBeNull();
  });
});
