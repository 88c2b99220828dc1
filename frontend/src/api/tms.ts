// Typed calls for each endpoint the app uses.

import { api, type ApiClient } from "./client";
import type { Label, Page, Session, Task, TaskEvent, TaskInput, User } from "./types";

export interface ListQuery {
  status?: string[];
  priority?: string[];
  label?: number[];
  q?: string;
  ordering?: string;
  overdue?: boolean;
  has_due?: boolean;
  page_size?: number;
}

export function listUrl(query: ListQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) continue;
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  const text = params.toString();
  return `/api/tasks/${text ? `?${text}` : ""}`;
}

/** The API's absolute `next` link, made relative to this origin. */
export function relative(url: string): string {
  const parsed = new URL(url, window.location.origin);
  return parsed.pathname + parsed.search;
}

export const tms = (client: ApiClient = api) => ({
  register: (username: string, email: string, password: string) =>
    client.post<User>("/api/auth/register/", { username, email, password }),
  login: async (username: string, password: string) => {
    const body = await client.post<{ access: string; user: User }>("/api/auth/login/", { username, password, use_cookie: true });
    client.setAccessToken(body.access);
    return body.user;
  },
  me: () => client.get<User>("/api/auth/me/"),
  updateMe: (changes: Partial<Pick<User, "display_name" | "time_zone">>) => client.patch<User>("/api/auth/me/", changes),
  deleteMe: (password: string) => client.delete("/api/auth/me/", { password }),
  changeEmail: (email: string, current_password: string) =>
    client.post<{ detail: string }>("/api/auth/email/change/", { email, current_password }),
  confirmEmail: (token: string) => client.post<User>("/api/auth/email/confirm/", { token }),
  revertEmail: (token: string) => client.post<{ detail: string }>("/api/auth/email/revert/", { token }),
  requestPasswordReset: (email: string) => client.post<{ detail: string }>("/api/auth/password/reset/", { email }),
  resetPassword: (uid: string, token: string, new_password: string) =>
    client.post<void>("/api/auth/password/reset/confirm/", { uid, token, new_password }),
  changePassword: (current_password: string, new_password: string) =>
    client.post<void>("/api/auth/password/change/", { current_password, new_password }),
  sessions: () => client.get<Session[]>("/api/auth/sessions/"),
  revokeSession: (id: number) => client.delete(`/api/auth/sessions/${id}/`),

  tasks: (query: ListQuery) => client.get<Page<Task>>(listUrl(query)),
  page: (url: string) => client.get<Page<Task>>(relative(url)),
  createTask: (input: TaskInput) => client.post<Task>("/api/tasks/", input, { "Idempotency-Key": crypto.randomUUID() }),
  updateTask: (task: Task, changes: Partial<TaskInput>) =>
    client.patch<Task>(`/api/tasks/${task.id}/`, changes, { "If-Match": `"${task.version}"` }),
  complete: (task: Task) => client.post<Task>(`/api/tasks/${task.id}/complete/`),
  reopen: (task: Task) => client.post<Task>(`/api/tasks/${task.id}/reopen/`),
  move: (task: Task, target: { status?: string; before_id?: number; after_id?: number }) =>
    client.post<Task>(`/api/tasks/${task.id}/move/`, target),
  trash: (task: Task) => client.delete(`/api/tasks/${task.id}/`),
  trashList: () => client.get<Page<Task>>("/api/tasks/trash/"),
  restore: (task: Task) => client.post<Task>(`/api/tasks/${task.id}/restore/`),
  history: (task: Task) => client.get<Page<TaskEvent>>(`/api/tasks/${task.id}/history/`),
  /** Every label of the account (at most 200), following the pages of the list. */
  labels: async () => {
    let page = await client.get<Page<Label>>("/api/tasks/labels/?page_size=100");
    const all = [...page.results];
    while (page.next) {
      page = await client.get<Page<Label>>(relative(page.next));
      all.push(...page.results);
    }
    return all;
  },
  createLabel: (name: string, colour: string) => client.post<Label>("/api/tasks/labels/", { name, colour }),
  deleteLabel: (label: Label) => client.delete(`/api/tasks/labels/${label.id}/`),
});
