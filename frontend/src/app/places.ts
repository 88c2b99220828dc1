// Where the app is, as a URL: a list (/, /inbox, /today, /upcoming, /assigned, /projects/12, /label/3), shown as a
// list or a board (/board?list=inbox), the trash, labels and account pages, and a task (/tasks/42). Filters live in
// the query (?q=report&priority=high&sort=due_date), so a reload, Back and a copied link all come back to them.
import type { ListQuery } from "../api/tms";
import type { Priority, Status } from "../api/types";
import { PRIORITIES, STATUSES } from "../api/types";

export type ListKey =
  | { kind: "all" }
  | { kind: "inbox" }
  | { kind: "today" }
  | { kind: "upcoming" }
  | { kind: "assigned" }
  | { kind: "project"; id: number }
  | { kind: "label"; id: number };

export const ALL: ListKey = { kind: "all" };

/** An id a number holds exactly (at most 15 digits); anything else is no id. */
export function idFrom(text: string | undefined | null): number | null {
  return text && /^[1-9]\d{0,14}$/.test(text) ? Number(text) : null;
}

export function sameList(a: ListKey, b: ListKey): boolean {
  return a.kind === b.kind && (!("id" in a) || ("id" in b && a.id === b.id));
}

/** The path of a list shown as a list. */
export function listPath(list: ListKey): string {
  switch (list.kind) {
    case "all":
      return "/";
    case "project":
      return `/projects/${list.id}`;
    case "label":
      return `/label/${list.id}`;
    default:
      return `/${list.kind}`;
  }
}

/** The `list` query value of the board (`inbox`, `project-12`, `label-3`); empty for everything. */
export function listParam(list: ListKey): string {
  if (list.kind === "all") return "";
  return "id" in list ? `${list.kind}-${list.id}` : list.kind;
}

export function listFromParam(value: string | null): ListKey {
  if (!value) return ALL;
  if (value === "inbox" || value === "today" || value === "upcoming" || value === "assigned") return { kind: value };
  const match = /^(project|label)-(\d+)$/.exec(value);
  const id = match ? idFrom(match[2]) : null;
  if (match && id !== null) return { kind: match[1] as "project" | "label", id };
  return ALL;
}

export function boardPath(list: ListKey): string {
  const param = listParam(list);
  return param ? `/board?list=${param}` : "/board";
}

/** The list a pathname shows (its board's `?list=` for /board); null for pages that are not lists. */
export function listFromLocation(pathname: string, search: string): ListKey | null {
  if (pathname === "/" || pathname.startsWith("/tasks/")) return ALL;
  if (pathname === "/board") return listFromParam(new URLSearchParams(search).get("list"));
  const fixed = /^\/(inbox|today|upcoming|assigned)$/.exec(pathname);
  if (fixed) return { kind: fixed[1] as "inbox" | "today" | "upcoming" | "assigned" };
  const withId = /^\/(projects|label)\/([^/]+)$/.exec(pathname);
  if (withId) {
    const id = idFrom(withId[2]);
    return id === null ? ALL : { kind: withId[1] === "projects" ? "project" : "label", id };
  }
  return null;
}

/** A link from before real URLs (`/?view=board&list=project-12`): where it goes now, or null. */
export function legacyPath(search: string): string | null {
  const query = new URLSearchParams(search);
  const view = query.get("view");
  const list = listFromParam(query.get("list"));
  if (!view && !query.has("list")) return null;
  if (view === "board") return boardPath(list);
  if (view === "trash" || view === "labels" || view === "account") return `/${view}`;
  return listPath(list);
}

/** The filters and sort a list's query string holds; unknown values are left out. */
export interface Filters {
  q: string;
  status: Status[];
  priority: Priority[];
  sort: NonNullable<ListQuery["ordering"]>;
}

const SORTS: NonNullable<ListQuery["ordering"]>[] = ["position", "due_date", "-priority", "-created_at", "-updated_at", "title"];

/** The filters in `search`; without a sort, `defaultSort` (by due date for Today and Upcoming). */
export function filtersFrom(search: string, defaultSort: Filters["sort"] = "position"): Filters {
  const query = new URLSearchParams(search);
  const sort = SORTS.find((s) => s === query.get("sort")) ?? defaultSort;
  return {
    q: (query.get("q") ?? "").slice(0, 200),
    status: query.getAll("status").filter((s): s is Status => (STATUSES as string[]).includes(s)),
    priority: query.getAll("priority").filter((p): p is Priority => (PRIORITIES as string[]).includes(p)),
    sort,
  };
}

/** `search` with the filters replaced (other parameters, such as the board's list, kept). */
export function withFilters(search: string, filters: Filters, defaultSort: Filters["sort"] = "position"): string {
  const query = new URLSearchParams(search);
  for (const key of ["q", "status", "priority", "sort"]) query.delete(key);
  if (filters.q) query.set("q", filters.q);
  filters.status.forEach((s) => query.append("status", s));
  filters.priority.forEach((p) => query.append("priority", p));
  if (filters.sort !== defaultSort) query.set("sort", filters.sort);
  const text = query.toString();
  return text ? `?${text}` : "";
}

/** How a list is sorted unless the person chooses: by due date for the dated lists, else by hand. */
export const defaultSortOf = (list: ListKey): Filters["sort"] =>
  list.kind === "today" || list.kind === "upcoming" ? "due_date" : "position";

/** The API query of a list: which tasks it holds, and in what order unless the person chose one. */
export function listQuery(list: ListKey, today: string, filters?: Filters): ListQuery {
  const base: ListQuery = (() => {
    switch (list.kind) {
      case "inbox":
        return { project: ["inbox"], parent: "none" };
      case "today":
        return { due_before: today, status: ["todo", "in_progress"], ordering: "due_date" };
      case "upcoming":
        return { due_after: nextDay(today), status: ["todo", "in_progress"], ordering: "due_date" };
      case "assigned":
        return { assignee: "me" };
      case "project":
        return { project: [String(list.id)], parent: "none" };
      case "label":
        return { label: [list.id], parent: "none" };
      default:
        return { parent: "none" };
    }
  })();
  if (!filters) return base;
  const query: ListQuery = { ...base };
  if (filters.q) query.q = filters.q;
  if (filters.status.length) query.status = filters.status;
  if (filters.priority.length) query.priority = filters.priority;
  query.ordering = filters.sort;
  return query;
}

/** The day after an ISO date (YYYY-MM-DD), in the calendar, whatever the time zone. */
export function nextDay(isoDate: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}
