import { tms } from "../api/tms";
import type { Task } from "../api/types";
import { dueState } from "./common";

export function TaskCard(props: {
  task: Task;
  today: string;
  onToggleDone: (task: Task) => void;
  onEdit: (task: Task) => void;
  onTrash: (task: Task) => void;
  onHistory: (task: Task) => void;
  children?: React.ReactNode;
}) {
  const { task } = props;
  const done = task.status === "done";
  const due = dueState(task.due_date, done, props.today);
  return (
    <article className={`card priority-${task.priority} due-${due}${done ? " done" : ""}`} aria-label={task.title}>
      <div className="card-head">
        <input
          type="checkbox"
          aria-label={done ? `Reopen ${task.title}` : `Complete ${task.title}`}
          checked={done}
          onChange={() => props.onToggleDone(task)}
        />
        <h3>{task.title}</h3>
      </div>
      <p className="meta">
        <span className="badge">{task.priority}</span>
        {task.due_date && (
          <span className={`due ${due}`}>
            {due === "overdue" ? "Overdue: " : due === "today" ? "Due today: " : "Due "}
            {task.due_date}
          </span>
        )}
        {task.labels.map((label) => (
          <span key={label.id} className="label" style={{ borderColor: label.colour }}>
            {label.name}
          </span>
        ))}
      </p>
      <div className="card-actions">
        <button type="button" className="small" aria-label={`Edit ${task.title}`} onClick={() => props.onEdit(task)}>
          Edit
        </button>
        <button type="button" className="small" aria-label={`History of ${task.title}`} onClick={() => props.onHistory(task)}>
          History
        </button>
        <button type="button" className="small danger" aria-label={`Trash ${task.title}`} onClick={() => props.onTrash(task)}>
          Trash
        </button>
        {props.children}
      </div>
    </article>
  );
}

/** The card's own changes (complete or reopen, trash), run through a view's `act`. */
export function cardActions(act: (action: () => Promise<unknown>) => Promise<void>) {
  return {
    onToggleDone: (task: Task) => act(() => (task.status === "done" ? tms().reopen(task) : tms().complete(task))),
    onTrash: (task: Task) => act(() => tms().trash(task)),
  };
}
