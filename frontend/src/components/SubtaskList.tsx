import { useCallback, useEffect, useState, type FormEvent } from "react";
import { tms } from "../api/tms";
import type { Task } from "../api/types";
import { changer, ErrorNote, Loading, TASK_GONE } from "./common";

/** "2/5": done of all, or nothing when the task has no sub-tasks. */
export function Progress(props: { done: number; count: number }) {
  if (props.count === 0) return null;
  return (
    <span className="badge progress" title="Sub-tasks done">
      <span className="visually-hidden">Sub-tasks done: </span>
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
  const { task } = props;
  const [subtasks, setSubtasks] = useState<Task[] | null>(null);
  const [title, setTitle] = useState("");
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
    if (await act(() => tms().createTask({ title: title.trim(), parent: task.id }))) setTitle("");
  }

  const done = subtasks?.filter((t) => t.status === "done").length ?? task.subtasks_done;
  return (
    <section className="subtasks" aria-label="Sub-tasks">
      <h3>
        Sub-tasks <Progress done={done} count={subtasks?.length ?? task.subtask_count} />
      </h3>
      {!subtasks && !error && <Loading what="sub-tasks" />}
      {subtasks?.length === 0 && <p className="muted">No sub-tasks.</p>}
      <ul className="plain">
        {subtasks?.map((sub) => (
          <li key={sub.id} className={sub.status === "done" ? "check done" : "check"}>
            {props.canWrite && (
              <input
                type="checkbox"
                aria-label={sub.status === "done" ? `Reopen ${sub.title}` : `Complete ${sub.title}`}
                checked={sub.status === "done"}
                onChange={() => act(() => (sub.status === "done" ? tms().reopen(sub) : tms().complete(sub)))}
              />
            )}
            {!props.canWrite && (
              <span className="state">
                <span aria-hidden="true">{sub.status === "done" ? "✓" : "○"}</span>
                <span className="visually-hidden">{sub.status === "done" ? "Done:" : "To do:"}</span>
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
        <form className="row" onSubmit={add} aria-label="Add a sub-task">
          <div className="field">
            <label htmlFor="new-subtask">New sub-task</label>
            <input id="new-subtask" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} required />
          </div>
          <button type="submit">Add sub-task</button>
        </form>
      )}
      <ErrorNote error={error} notFound={TASK_GONE} />
    </section>
  );
}
