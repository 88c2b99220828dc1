// Unsent writes shown in the task lists: a pending new task appears on the first page of every list
// whose filters it passes, and a pending edit shows on its task, each marked `pending: true`.

import type { Page, Task, TaskChanges, TaskInput } from "../api/types";

/** A task as the app shows it while its create or edit waits in the offline queue. */
export type PendingTask = Task & { pending: true };

/** Fields of a change that can be shown on a task before the server answers. Labels and assignees are
 * ids in a change and objects on a task, and reminders get their ids and fire times from the server,
 * so they show once the change is sent. */
function visible(changes: TaskChanges): Partial<Task> {
  const { labels: _labels, assignees: _assignees, reminders: _reminders, ...rest } = changes;
  void _labels;
  void _assignees;
  void _reminders;
  return rest;
}

/** The provisional task of a queued create: the input on a new task's defaults, with a negative id. */
export function provisionalTask(id: number, input: TaskInput, at: string): PendingTask {
  return {
    description: "",
    due_date: null,
    due_time: null,
    due_at: null,
    recurrence: "",
    recurrence_basis: "due",
    recurrence_text: null,
    reminders: [],
    parent: null,
    priority: "none",
    project: null,
    status: "todo",
    ...visible(input),
    title: input.title,
    id,
    labels: [],
    assignees: [],
    completed_at: null,
    created_at: at,
    updated_at: at,
    position: 0,
    subtask_count: 0,
    subtasks_done: 0,
    version: 0,
    pending: true,
  };
}

/** A task with an unsent change on it. */
export function withChanges(task: Task, changes: TaskChanges): PendingTask {
  return { ...task, ...visible(changes), pending: true };
}

const words = (text: string) => text.toLowerCase().split(/\s+/).filter(Boolean);
const list = (value: string | null) => (value ? value.split(",") : null);

/** Whether a new task belongs on the first page of the list at `path` (GET /api/tasks/?...). Filters
 * the app cannot judge offline (overdue, dates relative to today) leave the task out. */
export function listShows(path: string, task: Task, input: TaskInput, user: string): boolean {
  const query = new URLSearchParams(path.split("?")[1] ?? "");
  if (query.has("cursor") || query.has("overdue") || query.has("due_after") || query.has("due_before")) return false;
  const projects = list(query.get("project"));
  if (projects && !projects.includes(task.project === null ? "inbox" : String(task.project))) return false;
  const parent = query.get("parent");
  if (parent && (parent === "none" ? task.parent !== null : String(task.parent) !== parent)) return false;
  const statuses = list(query.get("status"));
  if (statuses && !statuses.includes(task.status)) return false;
  const priorities = list(query.get("priority"));
  if (priorities && !priorities.includes(task.priority)) return false;
  const labels = list(query.get("label"));
  if (labels && !(input.labels ?? []).some((id) => labels.includes(String(id)))) return false;
  const assignee = query.get("assignee");
  if (assignee && !(input.assignees ?? []).map(String).includes(assignee === "me" ? user : assignee)) return false;
  const hasDue = query.get("has_due");
  if (hasDue && (task.due_date !== null) !== (hasDue === "true")) return false;
  const search = query.get("q");
  if (search) {
    const text = `${task.title} ${task.description}`.toLowerCase();
    if (!words(search).every((word) => text.includes(word))) return false;
  }
  return true;
}

export interface PendingCreate {
  task: PendingTask;
  input: TaskInput;
}

/** A page of the list at `path` with the unsent writes on it. */
export function overlay(
  page: Page<Task>,
  path: string,
  creates: PendingCreate[],
  edits: Map<number, TaskChanges[]>,
  user: string,
): Page<Task> {
  const edited = (task: Task) => {
    const changes = edits.get(task.id);
    return changes ? changes.reduce<Task>((shown, change) => withChanges(shown, change), task) : task;
  };
  const fresh = creates.filter(({ task, input }) => listShows(path, edited(task), input, user)).map(({ task }) => edited(task));
  if (fresh.length === 0 && edits.size === 0) return page;
  return { ...page, results: [...fresh.reverse(), ...page.results.map(edited)] };
}
