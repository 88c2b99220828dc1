// Typed calls for each endpoint the app uses: only operations the OpenAPI schema documents, with
// their documented bodies (operations.ts checks both when the app is type-checked).

import { api, type ApiClient } from "./client";
import { operations, relative, url } from "./operations";
import type { paths } from "./schema";
import type { Label, Page, Session, Task, TaskChanges, TaskEvent, TaskInput, TaskMove, TrashedTask, User } from "./types";

/** The task list's filters, sort and page size: the documented query of GET /api/tasks/ (cursor aside). */
export type ListQuery = Omit<NonNullable<paths["/api/tasks/"]["get"]["parameters"]["query"]>, "cursor">;

export function listUrl(query: ListQuery): string {
  return url("/api/tasks/", { query });
}

export { relative };

export const tms = (client: ApiClient = api) => {
  const { GET, POST, PATCH, DELETE, next } = operations(client);
  return {
    register: (username: string, email: string, password: string): Promise<User> =>
      POST("/api/auth/register/", { body: { username, email, password } }) as Promise<User>,
    login: async (username: string, password: string): Promise<User> => {
      const body = await POST("/api/auth/login/", { body: { username, password, use_cookie: true } });
      client.setAccessToken(body.access);
      return body.user as User;
    },
    me: () => GET("/api/auth/me/") as Promise<User>,
    updateMe: (changes: Partial<Pick<User, "display_name" | "time_zone">>) => PATCH("/api/auth/me/", { body: changes }) as Promise<User>,
    deleteMe: (password: string) => DELETE("/api/auth/me/", { body: { password } }),
    changeEmail: (email: string, current_password: string) => POST("/api/auth/email/change/", { body: { email, current_password } }),
    confirmEmail: (token: string) => POST("/api/auth/email/confirm/", { body: { token } }) as Promise<User>,
    revertEmail: (token: string) => POST("/api/auth/email/revert/", { body: { token } }),
    requestPasswordReset: (email: string) => POST("/api/auth/password/reset/", { body: { email } }),
    resetPassword: (uid: string, token: string, new_password: string) =>
      POST("/api/auth/password/reset/confirm/", { body: { uid, token, new_password } }),
    changePassword: (current_password: string, new_password: string) =>
      POST("/api/auth/password/change/", { body: { current_password, new_password } }),
    sessions: () => GET("/api/auth/sessions/") as Promise<Session[]>,
    revokeSession: (id: number) => DELETE("/api/auth/sessions/{session_id}/", { path: { session_id: id } }),

    tasks: (query: ListQuery) => GET("/api/tasks/", { query }) as Promise<Page<Task>>,
    page: (link: string) => next("/api/tasks/", link) as Promise<Page<Task>>,
    createTask: (input: TaskInput) =>
      POST("/api/tasks/", { body: input, header: { "Idempotency-Key": crypto.randomUUID() } }) as Promise<Task>,
    updateTask: (task: Task, changes: TaskChanges) =>
      PATCH("/api/tasks/{task_id}/", {
        path: { task_id: task.id },
        body: changes,
        header: { "If-Match": `"${task.version}"` },
      }) as Promise<Task>,
    complete: (task: Task) => POST("/api/tasks/{task_id}/complete/", { path: { task_id: task.id } }) as Promise<Task>,
    reopen: (task: Task) => POST("/api/tasks/{task_id}/reopen/", { path: { task_id: task.id } }) as Promise<Task>,
    move: (task: Task, target: TaskMove) =>
      POST("/api/tasks/{task_id}/move/", { path: { task_id: task.id }, body: target }) as Promise<Task>,
    trash: (task: Task) => DELETE("/api/tasks/{task_id}/", { path: { task_id: task.id } }),
    trashList: () => GET("/api/tasks/trash/") as Promise<Page<TrashedTask>>,
    restore: (task: Task) => POST("/api/tasks/{task_id}/restore/", { path: { task_id: task.id } }) as Promise<Task>,
    history: (task: Task) => GET("/api/tasks/{task_id}/history/", { path: { task_id: task.id } }) as Promise<Page<TaskEvent>>,
    /** Every label of the account (at most 200), following the pages of the list. */
    labels: async (): Promise<Label[]> => {
      let page = await GET("/api/tasks/labels/", { query: { page_size: 100 } });
      const all = [...page.results];
      while (page.next) {
        page = await next("/api/tasks/labels/", page.next);
        all.push(...page.results);
      }
      return all as Label[];
    },
    createLabel: (name: string, colour: string) => POST("/api/tasks/labels/", { body: { name, colour } }) as Promise<Label>,
    deleteLabel: (label: Label) => DELETE("/api/tasks/labels/{label_id}/", { path: { label_id: label.id } }),
  };
};
