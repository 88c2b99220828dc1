import { tms } from "../api/tms";
import type { Task } from "../api/types";
import { displayName } from "./access";
import { dueState } from "./common";
import { Progress } from "./SubtaskList";

/** A task in the list or on the board; without `canEdit` (a viewer) it only opens. */
export function TaskCard(props: {
  task: Task;
  today: string;
  canEdit?: boolean;
  /** Shown where tasks of several projects mix. */
  projectName?: string;
  onToggleDone: (task: Task) => void;
  onEdit: (task: Task) => void;
  onTrash: (task: Task) => void;
  onHistory: (task: Task) => void;
  children?: React.ReactNode;
}) {
  const { task } = props;
  const canEdit = props.canEdit ?? true;
  const done = task.status === "done";
  const due = dueState(task.due_date, done, props.today);
  return (
    <article className={`card priority-${task.priority} due-${due}${done ? " done" : ""}`} aria-label={task.title}>
      <div className="card-head">
        {canEdit && (
          <input
            type="checkbox"
            aria-label={done ? `Reopen ${task.title}` : `Complete ${task.title}`}
            checked={done}
            onChange={() => props.onToggleDone(task)}
          />
        )}
        <h3>{task.title}</h3>
      </div>
      <p className="meta">
        {props.projectName && <span className="muted">{props.projectName}</span>}
        <span className="badge">{task.priority}</span>
        <Progress done={task.subtasks_done} count={task.subtask_count} />
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
        {task.assignees.length > 0 && <span className="assignees">Assigned: {task.assignees.map(displayName).join(", ")}</span>}
      </p>
      <div className="card-actions">
        <button
          type="button"
          className="small"
          aria-label={`${canEdit ? "Edit" : "Open"} ${task.title}`}
          onClick={() => props.onEdit(task)}
        >
          {canEdit ? "Edit" : "Open"}
        </button>
        <button type="button" className="small" aria-label={`History of ${task.title}`} onClick={() => props.onHistory(task)}>
          History
        </button>
        {canEdit && (
          <button type="button" className="small danger" aria-label={`Trash ${task.title}`} onClick={() => props.onTrash(task)}>
            Trash
          </button>
        )}
        {canEdit && props.children}
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
