// Typed calls for each endpoint the app uses: only operations the OpenAPI schema documents, with
// their documented bodies (operations.ts checks both when the app is type-checked).

import { api, type ApiClient } from "./client";
import { operations, relative, url } from "./operations";
import type { paths } from "./schema";
import type {
  BulkRequest,
  BulkResult,
  Comment,
  ExportFile,
  ImportRequest,
  ImportResult,
  Stats,
  Invite,
  InviteSent,
  Label,
  Member,
  Page,
  Project,
  Session,
  Task,
  TaskChanges,
  TaskEvent,
  TaskInput,
  TaskMove,
  TrashedProject,
  TrashedTask,
  User,
} from "./types";

/** The task list's filters, sort and page size: the documented query of GET /api/tasks/ (cursor aside). */
export type ListQuery = Omit<NonNullable<paths["/api/tasks/"]["get"]["parameters"]["query"]>, "cursor">;

interface AnyPage<T> {
  results: T[];
  next?: string | null;
}

/** Every item of a list: its first page, then each `next` page. */
async function everything<T>(first: Promise<AnyPage<T>>, more: (link: string) => Promise<AnyPage<T>>): Promise<T[]> {
  let page = await first;
  const all = [...page.results];
  while (page.next) {
    page = await more(page.next);
    all.push(...page.results);
  }
  return all;
}

/** What signing in answers when it is done: the access token and the account. */
interface SignedIn {
  access: string;
  user: unknown;
}

/** What step one of signing in answers for an account with two-factor sign-in (and no tokens). */
interface MfaChallenge {
  mfa_required: true;
  mfa_token: string;
  methods: string[];
}

/** Signed in, or a second step to take with this token (it lasts five minutes and is good for one sign-in). */
export type SignIn = { user: User } | { mfaToken: string };

/** The second factor: a code from the authenticator app, or one of the recovery codes. */
export type SecondFactor = { code: string } | { recovery_code: string };

export function listUrl(query: ListQuery): string {
  return url("/api/tasks/", { query });
}

export { relative };

export const tms = (client: ApiClient = api) => {
  const { GET, POST, PATCH, DELETE, next } = operations(client);
  return {
    register: (username: string, email: string, password: string, time_zone?: string): Promise<User> =>
      POST("/api/auth/register/", { body: { username, email, password, time_zone } }) as Promise<User>,
    /** Step one of signing in: signed in ({user}), or, for an account with two-factor sign-in, the token of step two. */
    login: async (username: string, password: string): Promise<SignIn> => {
      // The schema's answer is the tokens, or (where it documents two-factor sign-in) one of the two bodies.
      const body = (await POST("/api/auth/login/", { body: { username, password, use_cookie: true } })) as SignedIn | MfaChallenge;
      if ("mfa_token" in body) return { mfaToken: body.mfa_token };
      client.setAccessToken(body.access);
      return { user: body.user as User };
    },
    /**
     * Step two: the code from the authenticator app, or one recovery code, with step one's token. Answered as a
     * plain sign-in is, the refresh token in its cookie (step one asked for it; the server keeps that with the
     * token). The schema in this tree does not document the route yet: hence the client's own call.
     */
    loginSecondStep: async (mfaToken: string, answer: SecondFactor): Promise<User> => {
      const body = await client.post<{ access: string; user: User }>("/api/auth/login/2fa/", { mfa_token: mfaToken, ...answer });
      client.setAccessToken(body.access);
      return body.user;
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
    task: (id: number) => GET("/api/tasks/{task_id}/", { path: { task_id: id } }) as Promise<Task>,
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
    trashPage: (link: string) => next("/api/tasks/trash/", link) as Promise<Page<TrashedTask>>,
    /** Delete a task in the trash for good (its sub-tasks with it). */
    purge: (task: Pick<Task, "id">) => DELETE("/api/tasks/trash/{task_id}/", { path: { task_id: task.id } }),
    restore: (task: Pick<Task, "id">) => POST("/api/tasks/{task_id}/restore/", { path: { task_id: task.id } }) as Promise<Task>,
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
    renameLabel: (label: Label, name: string) =>
      PATCH("/api/tasks/labels/{label_id}/", { path: { label_id: label.id }, body: { name } }) as Promise<Label>,

    /** Every project the account is a member of, archived ones too. */
    projects: () =>
      everything(GET("/api/tasks/projects/", { query: { page_size: 100 } }), (link) => next("/api/tasks/projects/", link)) as Promise<
        Project[]
      >,
    createProject: (name: string, colour: string) => POST("/api/tasks/projects/", { body: { name, colour } }) as Promise<Project>,
    updateProject: (project: Project, changes: Partial<Pick<Project, "name" | "description" | "colour" | "archived">>) =>
      PATCH("/api/tasks/projects/{project_id}/", { path: { project_id: project.id }, body: changes }) as Promise<Project>,
    deleteProject: (project: Project) => DELETE("/api/tasks/projects/{project_id}/", { path: { project_id: project.id } }),
    trashedProjects: () => GET("/api/tasks/projects/trash/") as Promise<Page<TrashedProject>>,
    restoreProject: (project: Pick<Project, "id">) =>
      POST("/api/tasks/projects/{project_id}/restore/", { path: { project_id: project.id } }) as Promise<Project>,
    members: (project: Project) => {
      const path = "/api/tasks/projects/{project_id}/members/" as const;
      return everything(GET(path, { path: { project_id: project.id }, query: { page_size: 100 } }), (link) => next(path, link)) as Promise<
        Member[]
      >;
    },
    /** By username: the new Member (201). By e-mail address: the server's `detail` (202), the same whether or not it has an account. */
    invite: (project: Project, invite: Invite) =>
      POST("/api/tasks/projects/{project_id}/members/", { path: { project_id: project.id }, body: invite }) as Promise<Member | InviteSent>,
    changeRole: (project: Project, userId: number, role: Invite["role"]) =>
      PATCH("/api/tasks/projects/{project_id}/members/{user_id}/", {
        path: { project_id: project.id, user_id: userId },
        body: { role },
      }) as Promise<Member>,
    /** Remove a member, or (your own id) leave the project. */
    removeMember: (project: Project, userId: number) =>
      DELETE("/api/tasks/projects/{project_id}/members/{user_id}/", { path: { project_id: project.id, user_id: userId } }),
    subtasks: (parent: Pick<Task, "id">) =>
      everything(GET("/api/tasks/", { query: { parent: String(parent.id), ordering: "position", page_size: 100 } }), (link) =>
        next("/api/tasks/", link),
      ) as Promise<Task[]>,
    comments: (task: Pick<Task, "id">) => {
      const path = "/api/tasks/{task_id}/comments/" as const;
      return everything(GET(path, { path: { task_id: task.id }, query: { page_size: 100 } }), (link) => next(path, link)) as Promise<
        Comment[]
      >;
    },
    addComment: (task: Task, body: string) =>
      POST("/api/tasks/{task_id}/comments/", { path: { task_id: task.id }, body: { body } }) as Promise<Comment>,
    editComment: (task: Task, comment: Comment, body: string) =>
      PATCH("/api/tasks/{task_id}/comments/{comment_id}/", {
        path: { task_id: task.id, comment_id: comment.id },
        body: { body },
      }) as Promise<Comment>,
    stats: () => GET("/api/tasks/stats/") as Promise<Stats>,
    /** One change to many tasks at once (at most 500): complete, reopen, trash, set_priority, … */
    bulk: (action: BulkRequest["action"], ids: number[], value?: string | number) =>
      POST("/api/tasks/bulk/", { body: { action, ids, value } }) as Promise<BulkResult>,
    /** A part of the JSON export: the first, or the one a `next` link names. */
    exportPart: (link?: string | null) =>
      (link ? next("/api/tasks/export/", link) : GET("/api/tasks/export/", { query: { format: "json" } })) as Promise<ExportFile>,
    importPart: (part: ImportRequest) => POST("/api/tasks/import/", { body: part }) as Promise<ImportResult>,
    deleteComment: (task: Task, comment: Comment) =>
      DELETE("/api/tasks/{task_id}/comments/{comment_id}/", { path: { task_id: task.id, comment_id: comment.id } }),
  };
};
