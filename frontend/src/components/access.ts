// What the signed-in person may do, from their role in a project (the server decides; the app only hides
// what would be refused), and which tasks a sidebar entry shows.
import type { ListQuery } from "../api/tms";
import type { Invite, Project, Role, Task } from "../api/types";
import { t } from "../i18n";

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

/** Each role's name in the current language (read when shown, so a change of language shows at the next render). */
export const ROLE_NAMES: Record<Role, string> = {
  get owner() {
    return t("Owner");
  },
  get admin() {
    return t("Admin");
  },
  get editor() {
    return t("Editor");
  },
  get viewer() {
    return t("Viewer");
  },
};
/** The roles an invitation or a role change can give (there is one owner). */
export const GRANTABLE: Invite["role"][] = ["viewer", "editor", "admin"];

export function atLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** Tasks and comments: editor and up. */
export const canWrite = (role: Role) => atLeast(role, "editor");
/** Members, rename, archive, anyone's comments: admin and up. */
export const canManage = (role: Role) => atLeast(role, "admin");
/** Delete and restore the project: the owner. */
export const canDelete = (role: Role) => role === "owner";

/** The caller's role for a task: their own Inbox is theirs; a project's is their role there. */
export function roleFor(task: Pick<Task, "project">, projects: Project[]): Role {
  if (task.project === null) return "owner";
  return projects.find((p) => p.id === task.project)?.role ?? "viewer";
}

/** A sidebar entry: everything, the Inbox, what is assigned to me, or one project. */
export type Scope = { kind: "all" } | { kind: "inbox" } | { kind: "assigned" } | { kind: "project"; id: number; name?: string };

export const ALL: Scope = { kind: "all" };

export function sameScope(a: Scope, b: Scope): boolean {
  return a.kind === b.kind && (a.kind !== "project" || (b.kind === "project" && a.id === b.id));
}

/** The list filters of a scope. Top-level tasks only (sub-tasks live in their task), except what is assigned to me. */
export function scopeQuery(scope: Scope): ListQuery {
  switch (scope.kind) {
    case "inbox":
      return { project: ["inbox"], parent: "none" };
    case "assigned":
      return { assignee: "me" };
    case "project":
      return { project: [String(scope.id)], parent: "none" };
    default:
      return { parent: "none" };
  }
}

export function displayName(user: { username: string; display_name: string } | null): string {
  if (!user) return t("Deleted account");
  return user.display_name || user.username;
}
