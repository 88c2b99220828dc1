import type { Scope } from "./access";

export type View = "list" | "board" | "trash" | "labels" | "account";
export const VIEWS: [View, string][] = [
  ["list", "List"],
  ["board", "Board"],
  ["trash", "Trash"],
  ["labels", "Labels"],
  ["account", "Account"],
];

/** Where the app is: the view, and the list (scope) it shows. */
export type Place = { view: View; scope: Scope };

/**
 * The place a URL's query names (`?view=board&list=inbox`, `list=project-12`), so a reload or a shared link opens
 * the same view; anything missing or unknown falls back to the List of everything.
 */
export function placeFrom(search: string): Place {
  const query = new URLSearchParams(search);
  const view = VIEWS.find(([key]) => key === query.get("view"))?.[0] ?? "list";
  const list = query.get("list") ?? "";
  const project = /^project-([1-9]\d{0,14})$/.exec(list); // an id a number holds exactly; else the default
  const scope: Scope =
    list === "inbox" || list === "assigned" ? { kind: list } : project ? { kind: "project", id: Number(project[1]) } : { kind: "all" };
  return { view, scope };
}

/** The query string for a place: empty for the List of everything, the app's front page. */
export function searchFor(place: Place): string {
  const query = new URLSearchParams();
  if (place.view !== "list") query.set("view", place.view);
  const { scope } = place;
  if (scope.kind === "project") query.set("list", `project-${scope.id}`);
  else if (scope.kind !== "all") query.set("list", scope.kind);
  const text = query.toString();
  return text ? `?${text}` : "";
}
