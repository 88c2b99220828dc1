// One task in a list or on the board: the checkbox first, the title (opens the task), what matters at a glance
// (due day and time, whether it repeats, priority, project, labels, sub-tasks, who), and a menu for the rest.
import { useContext } from "react";
import { Link, useLocation } from "react-router";
import { useTranslation } from "react-i18next";
import { PRIORITY_NAMES, STATUS_NAMES, type Task } from "../../api/types";
import { displayName } from "../../components/access";
import { dueState } from "../../components/common";
import { Progress } from "../../components/SubtaskList";
import { WorkspaceContext } from "../../app/workspace";
import { formatTime, isPastDue, relativeDay, wallClockIn } from "../../lib/dates";
import { timeOf } from "../time/model";
import { TaskMenu, type MenuAction } from "./TaskMenu";

export function TaskRow(props: {
  task: Task;
  today: string;
  canEdit: boolean;
  /** Shown where tasks of several projects mix. */
  projectName?: string;
  onToggleDone: (task: Task) => void;
  actions: MenuAction[];
  /** In selection mode the first box selects the task for a bulk change instead of completing it. */
  selection?: { selected: boolean; onToggle: (task: Task) => void };
  onMenuClosed?: (event: Event) => void;
  /** The time zone due times are shown in (default: the signed-in person's). */
  timeZone?: string;
  /** Now, for whether a due time has passed (default: the clock). */
  now?: Date;
}) {
  const { t, i18n } = useTranslation();
  const location = useLocation();
  const { task } = props;
  const done = task.status === "done";
  // Made offline and not sent yet: shown, but nothing to do with it until the server has it.
  const pending = "pending" in task && task.pending === true;
  const workspace = useContext(WorkspaceContext);
  const timeZone = props.timeZone ?? workspace?.user.time_zone;
  const time = timeOf(task);
  // With a time, a task is overdue once that moment has passed (not only from the next day on).
  const dueAt = time.due_at && !done && !pending ? time.due_at : null;
  const due =
    dueAt && task.due_date && isPastDue(task.due_date, dueAt, props.today, props.now)
      ? "overdue"
      : dueState(task.due_date, done, props.today);
  // The moment on the person's clock; an edit still waiting to be sent has only the owner's wall-clock time so far.
  const clock =
    time.due_at && !pending
      ? wallClockIn(time.due_at, timeZone)
      : time.due_time && task.due_date
        ? { date: task.due_date, time: time.due_time }
        : null;
  return (
    <article className={`task-row priority-${task.priority}${done ? " done" : ""}`} aria-label={task.title} data-task-id={task.id}>
      {props.selection ? (
        <input
          type="checkbox"
          className="complete select"
          aria-label={t("Select {{title}}", { title: task.title })}
          checked={props.selection.selected}
          onChange={() => props.selection?.onToggle(task)}
        />
      ) : props.canEdit && !pending ? (
        <input
          type="checkbox"
          className="complete"
          aria-label={done ? t("Reopen {{title}}", { title: task.title }) : t("Complete {{title}}", { title: task.title })}
          checked={done}
          onChange={() => props.onToggleDone(task)}
        />
      ) : (
        <span className="complete-placeholder" aria-hidden="true" />
      )}
      <div className="task-main">
        {pending ? (
          <span className="task-title">{task.title}</span>
        ) : (
          <Link className="task-title" to={`/tasks/${task.id}`} state={{ background: location }}>
            {task.title}
          </Link>
        )}
        <p className="meta">
          {pending && <span className="badge pending">{t("Waiting to be sent")}</span>}
          {task.status === "in_progress" && <span className="badge status">{t(STATUS_NAMES.in_progress)}</span>}
          {task.due_date && (
            <span className={`due ${due}`}>
              <span className="visually-hidden">{due === "overdue" ? t("Overdue:") : t("Due:")} </span>
              {relativeDay(clock?.date ?? task.due_date, props.today, i18n.language)}
              {clock && <span className="due-time"> {formatTime(clock.time, i18n.language)}</span>}
            </span>
          )}
          {time.recurrence && (
            <span
              className="repeats"
              role="img"
              aria-label={time.recurrence_text ?? t("Repeats")}
              title={time.recurrence_text ?? undefined}
            >
              ↻
            </span>
          )}
          {task.priority !== "none" && (
            <span className={`flag priority-${task.priority}`}>
              <span aria-hidden="true">⚑ </span>
              {t(PRIORITY_NAMES[task.priority])}
            </span>
          )}
          {props.projectName && <span className="project-name">{props.projectName}</span>}
          <Progress done={task.subtasks_done} count={task.subtask_count} />
          {task.labels.map((label) => (
            <span key={label.id} className="label">
              <span className="swatch" style={{ background: label.colour }} aria-hidden="true" />
              {label.name}
            </span>
          ))}
          {task.assignees.length > 0 && (
            <span className="assignees">{t("Assigned: {{names}}", { names: task.assignees.map(displayName).join(", ") })}</span>
          )}
        </p>
      </div>
      {!pending && <TaskMenu task={task} actions={props.actions} onClosed={props.onMenuClosed} />}
    </article>
  );
}
