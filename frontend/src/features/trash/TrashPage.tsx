// The trash: tasks and projects for 30 days, each restored, or deleted for good after a confirmation; "Empty
// the trash" deletes every task in it. Pages of 50 with "Load more", as any list.
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { tms } from "../../api/tms";
import type { Page, TrashedTask } from "../../api/types";
import { keys, refreshTasks } from "../../app/queries";
import { useToast } from "../../app/toast";
import { ErrorNote, Loading, messageOf } from "../../components/common";
import { Confirm } from "../../components/Confirm";

export function TrashPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const tasks = useInfiniteQuery<Page<TrashedTask>, Error, { pages: Page<TrashedTask>[] }, string[], string | null>({
    queryKey: [...keys.trash, "tasks"],
    queryFn: ({ pageParam }) => (pageParam ? tms().trashPage(pageParam) : tms().trashList()),
    initialPageParam: null,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const projects = useQuery({ queryKey: [...keys.trash, "projects"], queryFn: () => tms().trashedProjects() });
  const [asking, setAsking] = useState<TrashedTask | "all" | null>(null);
  const [busy, setBusy] = useState(false);
  const shown = tasks.data?.pages.flatMap((page) => page.results) ?? [];
  const trashedProjects = projects.data?.results ?? [];

  const changed = () => {
    void queryClient.invalidateQueries({ queryKey: keys.trash });
    void queryClient.invalidateQueries({ queryKey: keys.projects });
    void refreshTasks();
  };
  async function run(action: () => Promise<unknown>, done: string) {
    try {
      await action();
      toast({ message: done });
    } catch (caught) {
      toast({ message: messageOf(caught), tone: "error" });
    } finally {
      changed();
    }
  }
  /** Every task in the trash, page by page, each deleted for good. */
  async function emptyTrash() {
    setBusy(true);
    let deleted = 0;
    try {
      for (;;) {
        const page = await tms().trashList();
        if (page.results.length === 0) break;
        for (const task of page.results) {
          await tms().purge(task);
          deleted += 1;
        }
      }
      toast({ message: t("Deleted {{count}} tasks for good.", { count: deleted }) });
    } catch (caught) {
      toast({ message: messageOf(caught), tone: "error" });
    } finally {
      setBusy(false);
      changed();
    }
  }

  if (tasks.isPending) return <Loading what={t("the trash")} />;
  return (
    <section className="page" aria-label={t("Trash")}>
      <div className="page-head">
        <h1>{t("Trash")}</h1>
        {shown.length > 0 && (
          <button type="button" className="danger" disabled={busy} onClick={() => setAsking("all")}>
            {t("Empty the trash")}
          </button>
        )}
      </div>
      <p className="muted">{t("Tasks stay here for 30 days.")}</p>
      <ErrorNote error={tasks.error ?? projects.error} />
      {shown.length === 0 && trashedProjects.length === 0 && <p className="empty">{t("The trash is empty.")}</p>}
      {shown.length > 0 && (
        <ul className="plain rows trash-rows">
          {shown.map((task) => (
            <li key={task.id} className="trash-row">
              <span className="trash-title">{task.title}</span>
              <button
                type="button"
                className="small"
                onClick={() => run(() => tms().restore(task), t("Restored “{{title}}”", { title: task.title }))}
              >
                {t("Restore {{name}}", { name: task.title })}
              </button>
              <button type="button" className="small danger" onClick={() => setAsking(task)}>
                {t("Delete {{name}} forever", { name: task.title })}
              </button>
            </li>
          ))}
        </ul>
      )}
      {tasks.hasNextPage && (
        <button type="button" className="secondary load-more" disabled={tasks.isFetchingNextPage} onClick={() => tasks.fetchNextPage()}>
          {t("Load more")}
        </button>
      )}
      {trashedProjects.length > 0 && (
        <>
          <h2>{t("Projects")}</h2>
          <p className="muted">{t("A project comes back with the tasks it took to the trash.")}</p>
          <ul className="plain">
            {trashedProjects.map((project) => (
              <li key={project.id}>
                <span className="swatch" style={{ background: project.colour }} aria-hidden="true" /> {project.name}{" "}
                <button
                  type="button"
                  className="small"
                  onClick={() => run(() => tms().restoreProject(project), t("Restored “{{title}}”", { title: project.name }))}
                >
                  {t("Restore {{name}}", { name: project.name })}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {asking === "all" && (
        <Confirm
          title={t("Empty the trash?")}
          text={t("Every task in the trash is deleted for good, with its sub-tasks, comments and history. This cannot be undone.")}
          action={t("Delete them forever")}
          onCancel={() => setAsking(null)}
          onConfirm={() => {
            setAsking(null);
            void emptyTrash();
          }}
        />
      )}
      {asking && asking !== "all" && (
        <Confirm
          title={t("Delete “{{title}}” forever?", { title: asking.title })}
          text={t("The task is deleted for good, with its sub-tasks, comments and history. This cannot be undone.")}
          action={t("Delete forever")}
          onCancel={() => setAsking(null)}
          onConfirm={() => {
            const task = asking;
            setAsking(null);
            void run(() => tms().purge(task), t("Deleted “{{title}}” for good.", { title: task.title }));
          }}
        />
      )}
    </section>
  );
}
