import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { tms } from "../api/tms";
import type { Task } from "../api/types";
import { cutTitle, TITLE_MAX_LENGTH } from "../lib/titles";
import { changer, ErrorNote, Loading, TASK_GONE } from "./common";

/** "2/5": done of all, or nothing when the task has no sub-tasks. */
export function Progress(props: { done: number; count: number }) {
  const { t } = useTranslation();
  if (props.count === 0) return null;
  return (
    <span className="badge progress" title={t("Sub-tasks done")}>
      <span className="visually-hidden">{t("Sub-tasks done:")} </span>
      {props.done}/{props.count}
    </span>
  );
}

/** A task's sub-tasks: tick them done, add one, open one (it has its own sub-tasks and comments). */
export function SubtaskList(props: {
  task: Task;
  canWrite: boolean;
  onOpen: (task: Task) => void;
  onChanged: () => void;
  /** The task answered 404: deleted, or no longer shared. */
  onGone?: () => void;
}) {
  const { t } = useTranslation();
  const { task } = props;
  const [subtasks, setSubtasks] = useState<Task[] | null>(null);
  const [title, setTitle] = useState("");
  const [titleCut, setTitleCut] = useState(false);
  function changeTitle(value: string) {
    const { title, cut } = cutTitle(value);
    setTitle(title);
    setTitleCut(cut);
  }
  const id = task.id;
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => tms().subtasks({ id }).then(setSubtasks, setError), [id]);
  const act = changer(
    setError,
    async () => {
      await load();
      props.onChanged();
    },
    props.onGone,
  );

  useEffect(() => {
    void load();
  }, [load]);

  async function add(event: FormEvent) {
    event.preventDefault();
    if (await act(() => tms().createTask({ title: title.trim(), parent: task.id }))) changeTitle("");
  }

  const done = subtasks?.filter((t) => t.status === "done").length ?? task.subtasks_done;
  return (
    <section className="subtasks" aria-label={t("Sub-tasks")}>
      <h3>
        {t("Sub-tasks")} <Progress done={done} count={subtasks?.length ?? task.subtask_count} />
      </h3>
      {!subtasks && !error && <Loading what={t("sub-tasks")} />}
      {subtasks?.length === 0 && <p className="muted">{t("No sub-tasks.")}</p>}
      <ul className="plain">
        {subtasks?.map((sub) => (
          <li key={sub.id} className={sub.status === "done" ? "check done" : "check"}>
            {props.canWrite && (
              <input
                type="checkbox"
                aria-label={
                  sub.status === "done" ? t("Reopen {{title}}", { title: sub.title }) : t("Complete {{title}}", { title: sub.title })
                }
                checked={sub.status === "done"}
                onChange={() => act(() => (sub.status === "done" ? tms().reopen(sub) : tms().complete(sub)))}
              />
            )}
            {!props.canWrite && (
              <span className="state">
                <span aria-hidden="true">{sub.status === "done" ? "✓" : "○"}</span>
                <span className="visually-hidden">{sub.status === "done" ? t("Done:") : t("To do:")}</span>
              </span>
            )}
            <button type="button" className="link" onClick={() => props.onOpen(sub)}>
              {sub.title}
            </button>
            <Progress done={sub.subtasks_done} count={sub.subtask_count} />
          </li>
        ))}
      </ul>
      {props.canWrite && (
        <form className="row" onSubmit={add} aria-label={t("Add a sub-task")}>
          <div className="field">
            <label htmlFor="new-subtask">{t("New sub-task")}</label>
            <input
              id="new-subtask"
              value={title}
              onChange={(e) => changeTitle(e.target.value)}
              aria-describedby="new-subtask-note"
              required
            />
            <span id="new-subtask-note" className="field-note" role="status">
              {titleCut ? t("Titles are at most {{max}} characters; the rest was cut.", { max: TITLE_MAX_LENGTH }) : ""}
            </span>
          </div>
          <button type="submit">{t("Add sub-task")}</button>
        </form>
      )}
      <ErrorNote error={error} notFound={TASK_GONE} />
    </section>
  );
}
