// What the signed-in person may do, from their role in a project (the server decides; the app only hides
// what would be refused).
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

export function displayName(user: { username: string; display_name: string } | null): string {
  if (!user) return t("Deleted account");
  return user.display_name || user.username;
}
