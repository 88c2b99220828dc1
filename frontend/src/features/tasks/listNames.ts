// The name a list goes by in the sidebar and as its page's heading.
import { t } from "../../i18n";
import type { Label, Project, Task } from "../../api/types";
import type { ListKey } from "../../app/places";

export function listName(list: ListKey, projects: Project[], labels: Label[]): string | undefined {
  switch (list.kind) {
    case "all":
      return t("All tasks");
    case "inbox":
      return t("Inbox");
    case "today":
      return t("Today");
    case "upcoming":
      return t("Upcoming");
    case "assigned":
      return t("Assigned to me");
    case "project":
      return projects.find((p) => p.id === list.id)?.name;
    case "label":
      return labels.find((l) => l.id === list.id)?.name;
  }
}

/** The name of a task's project, for lists that mix projects ("Inbox" for none). */
export function projectName(task: Task, projects: Project[]): string | undefined {
  if (projects.length === 0) return undefined;
  if (task.project === null) return t("Inbox");
  return projects.find((p) => p.id === task.project)?.name;
}
