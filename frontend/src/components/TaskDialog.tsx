import { useRef, type ReactNode } from "react";
import { STATUS_NAMES, type Label, type Project, type Task, type TaskInput, type User } from "../api/types";
import { canWrite, displayName, roleFor } from "./access";
import { CommentThread } from "./CommentThread";
import { TASK_GONE } from "./common";
import { useModal } from "./modal";
import { Progress, SubtaskList } from "./SubtaskList";
import { TaskEditor } from "./TaskEditor";

/** A task opened: its editor (read-only details for a viewer), its sub-tasks and its comments. */
export function TaskDialog(props: {
  task: Task | "new";
  labels: Label[];
  projects: Project[];
  me: User;
  defaults?: { project: number | null; assignees: number[] };
  onSave: (input: TaskInput) => Promise<void>;
  onClose: () => void;
  onOpen: (task: Task) => void;
  onOpenParent: (task: Task) => void;
  onSubtasksChanged: () => void;
  /** The task's project is no longer among the caller's: deleted, or no longer shared with them. */
  gone?: boolean;
  /** The task answered 404: deleted, or no longer shared. */
  onGone?: () => void;
}) {
  const task = props.task === "new" ? undefined : props.task;
  if (task && props.gone) return <TaskGone task={task} onClose={props.onClose} />;
  const role = task ? roleFor(task, props.projects) : "owner";
  const writer = canWrite(role);
  const title = !task ? "New task" : writer ? "Edit task" : task.title;
  return (
    <Modal label={title} onClose={props.onClose}>
      {task?.parent && (
        <button type="button" className="link" onClick={() => props.onOpenParent(task)}>
          ← Parent task
        </button>
      )}
      {writer ? (
        <TaskEditor
          task={task}
          labels={props.labels}
          projects={props.projects}
          me={props.me}
          defaults={props.defaults}
          onSave={props.onSave}
          onCancel={props.onClose}
        />
      ) : (
        task && <TaskDetails task={task} projects={props.projects} onClose={props.onClose} />
      )}
      {task && (
        <>
          <SubtaskList task={task} canWrite={writer} onOpen={props.onOpen} onChanged={props.onSubtasksChanged} onGone={props.onGone} />
          <CommentThread task={task} me={props.me} myRole={role} onGone={props.onGone} />
        </>
      )}
    </Modal>
  );
}

/** The dialog's frame: a sheet over the page that keeps the keyboard inside it and closes on Esc. */
function Modal(props: { label: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useModal(ref, props.onClose);
  return (
    <div className="dialog" role="dialog" aria-modal="true" aria-label={props.label} ref={ref}>
      <div className="sheet">{props.children}</div>
    </div>
  );
}

/** What a viewer sees of a task: everything, and nothing to change it with. */
export function TaskDetails(props: { task: Task; projects: Project[]; onClose: () => void }) {
  const { task } = props;
  const project = props.projects.find((p) => p.id === task.project);
  return (
    <article className="details" aria-label={`Details of ${task.title}`}>
      <h2>{task.title}</h2>
      <p className="meta">
        <span className="badge">{STATUS_NAMES[task.status]}</span>
        <span className="badge">{task.priority}</span>
        {task.due_date && <span>Due {task.due_date}</span>}
        {project && <span>In {project.name} (view only)</span>}
        <Progress done={task.subtasks_done} count={task.subtask_count} />
      </p>
      {task.description && <p className="text">{task.description}</p>}
      {task.assignees.length > 0 && <p>Assigned to {task.assignees.map(displayName).join(", ")}</p>}
      {task.labels.length > 0 && (
        <p className="meta">
          {task.labels.map((label) => (
            <span key={label.id} className="label" style={{ borderColor: label.colour }}>
              {label.name}
            </span>
          ))}
        </p>
      )}
      <button type="button" className="secondary" onClick={props.onClose}>
        Close
      </button>
    </article>
  );
}

/** A task whose project went away while it was open. */
function TaskGone(props: { task: Task; onClose: () => void }) {
  return (
    <Modal label={props.task.title} onClose={props.onClose}>
      <h2>{props.task.title}</h2>
      <p role="alert" className="error">
        {TASK_GONE}
      </p>
      <button type="button" className="secondary" onClick={props.onClose}>
        Close
      </button>
    </Modal>
  );
}
