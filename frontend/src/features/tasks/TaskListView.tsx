// A list of tasks: its filters, 50 rows at a time ("Load more"), an empty state that says what to do next.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocation } from "react-router";
import type { Task } from "../../api/types";
import { defaultSortOf, filtersFrom, listQuery, type ListKey } from "../../app/places";
import { useTaskPages } from "../../app/queries";
import { useWorkspace } from "../../app/workspace";
import { canWrite, roleFor } from "../../components/access";
import { ErrorNote, GONE_PROJECT, Loading } from "../../components/common";
import { BulkBar } from "./BulkBar";
import { FilterBar } from "./FilterBar";
import { projectName } from "./listNames";
import { TaskRow } from "./TaskRow";
import { useRowActions } from "./useRowActions";
import { translatable } from "../../i18n";

const EMPTY: Record<ListKey["kind"], string> = {
  all: translatable("No tasks yet. Add one with “New task” or press q."),
  inbox: translatable("Your Inbox is empty. Tasks without a project land here."),
  today: translatable("Nothing due today. Enjoy the day."),
  upcoming: translatable("Nothing scheduled. Tasks with a due date after today show up here."),
  assigned: translatable("Nothing is assigned to you."),
  project: translatable("No tasks in this project yet."),
  label: translatable("No tasks carry this label."),
};

export function TaskListView(props: { list: ListKey }) {
  const { t } = useTranslation();
  const location = useLocation();
  const { today, projects } = useWorkspace();
  const filters = filtersFrom(location.search, defaultSortOf(props.list));
  const query = listQuery(props.list, today, filters);
  const pages = useTaskPages(query);
  const rowActions = useRowActions();
  const tasks: Task[] = pages.data?.pages.flatMap((page) => page.results) ?? [];
  const filtered = filters.q !== "" || filters.status.length > 0 || filters.priority.length > 0;
  // Selection mode: the ids chosen for a bulk change (null: not selecting).
  const [selected, setSelected] = useState<Set<number> | null>(null);
  const writable = tasks.filter((task) => canWrite(roleFor(task, projects)));
  const toggle = (task: Task) => {
    const next = new Set(selected);
    if (next.has(task.id)) next.delete(task.id);
    else next.add(task.id);
    setSelected(next);
  };

  return (
    <section aria-label={t("Task list")} className="task-list">
      <FilterBar key={location.pathname} defaultSort={defaultSortOf(props.list)} />
      {selected ? (
        <BulkBar
          selected={writable.filter((task) => selected.has(task.id))}
          shown={writable}
          onSelect={(all) => setSelected(new Set(all.map((task) => task.id)))}
          onDone={() => setSelected(null)}
        />
      ) : (
        writable.length > 1 && (
          <button type="button" className="secondary small select-mode" onClick={() => setSelected(new Set())}>
            {t("Select tasks")}
          </button>
        )
      )}
      <ErrorNote error={pages.error} notFound={GONE_PROJECT} />
      {pages.isPending && <Loading what={t("tasks")} />}
      {pages.isSuccess && tasks.length === 0 && (
        <p className="empty">{filtered ? t("No task matches these filters.") : t(EMPTY[props.list.kind])}</p>
      )}
      <div className="rows">
        {tasks.map((task) => {
          const canEdit = canWrite(roleFor(task, projects));
          return (
            <TaskRow
              key={task.id}
              task={task}
              today={today}
              canEdit={canEdit}
              projectName={props.list.kind === "project" ? undefined : projectName(task, projects)}
              onToggleDone={rowActions.toggleDone}
              actions={rowActions.menu(task, canEdit)}
              selection={selected && canEdit ? { selected: selected.has(task.id), onToggle: toggle } : undefined}
            />
          );
        })}
      </div>
      {pages.hasNextPage && (
        <button type="button" className="secondary load-more" disabled={pages.isFetchingNextPage} onClick={() => pages.fetchNextPage()}>
          {t("Load more")}
        </button>
      )}
    </section>
  );
}
