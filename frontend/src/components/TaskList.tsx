import { useCallback, useEffect, useState } from "react";
import { tms, type ListQuery } from "../api/tms";
import { PRIORITIES, STATUSES, STATUS_NAMES, type Label, type Page, type Project, type Task } from "../api/types";
import { canWrite, roleFor } from "./access";
import { ErrorNote, GONE_PROJECT, Loading, useAction } from "./common";
import { cardActions, TaskCard } from "./TaskCard";

const ORDERINGS: [string, string][] = [
  ["position", "Manual order"],
  ["due_date", "Due date"],
  ["-priority", "Priority (highest first)"],
  ["-created_at", "Newest"],
  ["-updated_at", "Recently changed"],
  ["title", "Title"],
];

/** The list: filters, search, sort, and more tasks loaded with the API's cursor. */
export function TaskList(props: {
  /** The sidebar's choice (Inbox, a project, assigned to me) as list filters. */
  scope?: ListQuery;
  projects?: Project[];
  labels: Label[];
  today: string;
  version: number;
  onEdit: (task: Task) => void;
  onHistory: (task: Task) => void;
  onChanged: () => void;
}) {
  const [query, setQuery] = useState<ListQuery>({ ordering: "position" });
  const [search, setSearch] = useState("");
  const [page, setPage] = useState<Page<Task> | null>(null);
  const [error, act, setError] = useAction(props.onChanged);
  const { scope } = props;
  const projects = props.projects ?? [];

  const load = useCallback(async () => {
    setError(null);
    try {
      setPage(await tms().tasks({ ...scope, ...query, q: search || undefined }));
    } catch (caught) {
      setPage(null);
      setError(caught);
    }
  }, [scope, query, search, setError]);

  useEffect(() => {
    const timer = setTimeout(load, 200);
    return () => clearTimeout(timer);
  }, [load, props.version]);

  async function loadMore() {
    if (!page?.next) return;
    try {
      const more = await tms().page(page.next);
      setPage({ ...more, results: [...page.results, ...more.results] });
    } catch (caught) {
      setError(caught);
    }
  }

  const toggle = (key: "status" | "priority", value: string) => {
    const current = (query[key] as string[] | undefined) ?? [];
    setQuery({ ...query, [key]: current.includes(value) ? current.filter((v) => v !== value) : [...current, value] });
  };

  return (
    <section aria-label="Task list">
      <div className="filters" role="search">
        <div className="field">
          <label htmlFor="search">Search</label>
          <input id="search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Title or description" />
        </div>
        <div className="field">
          <label htmlFor="sort">Sort</label>
          <select
            id="sort"
            value={query.ordering}
            onChange={(e) => setQuery({ ...query, ordering: e.target.value as ListQuery["ordering"] })}
          >
            {ORDERINGS.map(([value, name]) => (
              <option key={value} value={value}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <fieldset>
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" checked={query.status?.includes(s) ?? false} onChange={() => toggle("status", s)} /> {STATUS_NAMES[s]}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Priority</legend>
          {PRIORITIES.map((p) => (
            <label key={p} className="check">
              <input type="checkbox" checked={query.priority?.includes(p) ?? false} onChange={() => toggle("priority", p)} /> {p}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="label-filter">Label</label>
          <select
            id="label-filter"
            value={query.label?.[0] ?? ""}
            onChange={(e) => setQuery({ ...query, label: e.target.value ? [Number(e.target.value)] : [] })}
          >
            <option value="">Any</option>
            {props.labels.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={query.overdue ?? false}
            onChange={(e) => setQuery({ ...query, overdue: e.target.checked || undefined })}
          />{" "}
          Overdue only
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={query.has_due ?? false}
            onChange={(e) => setQuery({ ...query, has_due: e.target.checked || undefined })}
          />{" "}
          With a due date
        </label>
      </div>
      <ErrorNote error={error} notFound={GONE_PROJECT} />
      {!page && !error && <Loading what="tasks" />}
      {page && page.results.length === 0 && <p className="empty">No tasks here. Create one with “New task”.</p>}
      <div className="cards">
        {page?.results.map((task) => (
          <TaskCard
            key={task.id}
            task={task}
            today={props.today}
            canEdit={canWrite(roleFor(task, projects))}
            projectName={scope?.project ? undefined : projectName(task, projects)}
            {...cardActions(act)}
            onEdit={props.onEdit}
            onHistory={props.onHistory}
          />
        ))}
      </div>
      {page?.next && (
        <button type="button" className="secondary" onClick={loadMore}>
          Load more
        </button>
      )}
    </section>
  );
}

/** The name of a task's project, for lists that mix projects ("Inbox" for none). */
export function projectName(task: Task, projects: Project[]): string | undefined {
  if (projects.length === 0) return undefined;
  if (task.project === null) return "Inbox";
  return projects.find((p) => p.id === task.project)?.name;
}
