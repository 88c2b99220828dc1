// Fixtures and a fetch stand-in for the component tests: answers by "METHOD /path" (the query ignored
// unless the route names one), and keeps every call to check what was sent.
import { vi } from "vitest";
import type { Comment, Member, Project, Task, User, UserRef } from "./api/types";

export const ME: User = { id: 1, username: "ada", email: "ada@example.com", display_name: "Ada", time_zone: "UTC", date_joined: "" };
export const ADA: UserRef = { id: 1, username: "ada", display_name: "Ada" };
export const BOB: UserRef = { id: 2, username: "bob", display_name: "" };

export function makeTask(fields: Partial<Task> = {}): Task {
  return {
    id: 1,
    title: "Task",
    description: "",
    status: "todo",
    priority: "none",
    due_date: null,
    due_time: null,
    due_at: null,
    recurrence: "",
    recurrence_basis: "due",
    recurrence_text: null,
    reminders: [],
    completed_at: null,
    labels: [],
    position: 1,
    version: 1,
    created_at: "2026-11-01T00:00:00Z",
    updated_at: "2026-11-01T00:00:00Z",
    project: null,
    parent: null,
    assignees: [],
    subtask_count: 0,
    subtasks_done: 0,
    ...fields,
  };
}

export function makeProject(fields: Partial<Project> = {}): Project {
  return {
    id: 10,
    name: "Garden",
    description: "",
    colour: "#16a34a",
    archived: false,
    owner: ADA,
    role: "owner",
    created_at: "2026-11-01T00:00:00Z",
    updated_at: "2026-11-01T00:00:00Z",
    ...fields,
  };
}

export function member(user: UserRef, role: Member["role"]): Member {
  return { user, role, created_at: "2026-11-01T00:00:00Z" };
}

export function makeComment(fields: Partial<Comment> = {}): Comment {
  return {
    id: 1,
    author: ADA,
    body: "Looks good",
    created_at: "2026-11-02T09:00:00Z",
    updated_at: "2026-11-02T09:00:00Z",
    edited: false,
    ...fields,
  };
}

export function page<T>(results: T[]) {
  return { results, next: null, previous: null };
}

export function respond(status: number, body?: unknown): Response {
  const empty = body === undefined || status === 204;
  return new Response(empty ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function apiError(status: number, code: string, message: string, fields?: Record<string, string[]>): Response {
  return respond(status, { error: { status, code, message, fields, request_id: "r" } });
}

type Answer = Response | ((body: unknown, url: string) => Response);

/** Stub fetch with answers by "METHOD /path/" or "METHOD /path/?query"; anything else answers 404. */
export function stubRoutes(routes: Record<string, Answer>) {
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? "GET";
    const path = url.split("?")[0];
    const answer = routes[`${method} ${url}`] ?? routes[`${method} ${path}`];
    if (!answer) return apiError(404, "not_found", "Not found.");
    const body = typeof init.body === "string" ? JSON.parse(init.body) : undefined;
    return typeof answer === "function" ? answer(body, url) : answer.clone();
  });
  vi.stubGlobal("fetch", fetch);
  return {
    fetch,
    /** The calls made with this method and path (the query ignored), each with its JSON body. */
    calls: (method: string, path: string) =>
      fetch.mock.calls
        .filter(([url, init]) => (init?.method ?? "GET") === method && url.split("?")[0] === path)
        .map(([url, init]) => ({ url, body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined })),
  };
}
