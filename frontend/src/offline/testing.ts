// Stand-ins for the offline tests: an access token for an account, a task server that honours
// Idempotency-Key and If-Match as the API does, and Web Locks and BroadcastChannel shared by "tabs".
import { vi } from "vitest";
import type { Task } from "../api/types";
import { makeTask } from "../test-support";
import type { Locks } from "./locks";
import type { Channel, TabMessage } from "./tabSession";

/** An access token whose user_id claim is `user` (the client reads it; nothing checks the signature). */
export function token(user: number, tag = "a"): string {
  const claims = btoa(JSON.stringify({ user_id: user, tag })).replace(/=+$/, "");
  return `header.${claims}.signature`;
}

export function json(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function failure(status: number, code: string, message = code): Response {
  return json(status, { error: { status, code, message, request_id: "r" } });
}

/** The task endpoints: one task per Idempotency-Key, 412 when If-Match is not the version. */
export function taskServer(initial: Task[] = []) {
  const tasks = new Map(initial.map((task) => [task.id, task]));
  const byKey = new Map<string, Task>();
  let next = 100;
  const state = { down: false, lostAnswers: 0, failWith: null as Response | null };
  const calls: { method: string; url: string; headers: Record<string, string>; body: unknown }[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? "GET";
    const headers = (init.headers ?? {}) as Record<string, string>;
    const body: unknown = typeof init.body === "string" ? JSON.parse(init.body) : undefined;
    calls.push({ method, url, headers, body });
    if (state.down) throw new TypeError("Failed to fetch");
    if (state.failWith) return state.failWith.clone();
    const answer = handle(method, url, headers, body);
    if (state.lostAnswers > 0) {
      state.lostAnswers -= 1; // the server did the work; the answer never came back
      throw new TypeError("Failed to fetch");
    }
    return answer;
  });

  function handle(method: string, url: string, headers: Record<string, string>, body: unknown): Response {
    const detail = /^\/api\/tasks\/(\d+)\/$/.exec(url);
    if (method === "POST" && url === "/api/tasks/") {
      const key = headers["Idempotency-Key"];
      const known = key ? byKey.get(key) : undefined;
      if (known) return json(201, known);
      const task = makeTask({ ...(body as Partial<Task>), id: next++, version: 1 });
      tasks.set(task.id, task);
      if (key) byKey.set(key, task);
      return json(201, task);
    }
    if (method === "GET" && url.startsWith("/api/tasks/?")) return json(200, { results: [...tasks.values()], next: null, previous: null });
    const task = detail ? tasks.get(Number(detail[1])) : undefined;
    if (!task) return failure(404, "not_found");
    if (method === "GET") return json(200, task);
    if (method === "PATCH") {
      const match = headers["If-Match"];
      if (match && match !== `"${task.version}"`) return failure(412, "precondition_failed", "The task changed since you read it.");
      const changed = { ...task, ...(body as Partial<Task>), version: task.version + 1 };
      tasks.set(task.id, changed);
      return json(200, changed);
    }
    return failure(405, "method_not_allowed");
  }

  return { fetch: fetch as unknown as typeof globalThis.fetch, tasks, calls, state };
}

/** Web Locks shared by every client given them: one holder per name, the others queue. */
export function sharedLocks(): Locks {
  const tails = new Map<string, Promise<unknown>>();
  const busy = new Map<string, number>();
  return {
    request<T>(name: string, task: (waited: boolean) => Promise<T>): Promise<T> {
      const waited = (busy.get(name) ?? 0) > 0;
      busy.set(name, (busy.get(name) ?? 0) + 1);
      const run = (tails.get(name) ?? Promise.resolve())
        .then(
          () => task(waited),
          () => task(waited),
        )
        .finally(() => busy.set(name, (busy.get(name) ?? 1) - 1));
      tails.set(
        name,
        run.catch(() => undefined),
      );
      return run;
    },
  };
}

/** BroadcastChannels on one name: a message reaches every other channel, a moment later. */
export function channelHub() {
  const channels: { listeners: ((event: { data: unknown }) => void)[] }[] = [];
  return (): Channel => {
    const self = { listeners: [] as ((event: { data: unknown }) => void)[] };
    channels.push(self);
    return {
      postMessage(message: TabMessage) {
        for (const other of channels) {
          if (other !== self) for (const listener of other.listeners) setTimeout(() => listener({ data: message }), 0);
        }
      },
      addEventListener(_type, listener) {
        self.listeners.push(listener);
      },
    };
  };
}
