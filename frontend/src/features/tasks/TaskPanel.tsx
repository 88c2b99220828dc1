// A task opened beside its list (/tasks/42): what it is (the description as Markdown), its editor for those who may
// change it, its sub-tasks, comments and history. A modal side sheet: the keyboard stays inside, Esc closes it.
import * as Dialog from "@radix-ui/react-dialog";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { tms } from "../../api/tms";
import { PRIORITY_NAMES, STATUS_NAMES, type Task, type TaskInput } from "../../api/types";
import { keys, queryClient, refreshTasks, useTask } from "../../app/queries";
import { useWorkspace } from "../../app/workspace";
import { canWrite, displayName, roleFor } from "../../components/access";
import { CommentThread } from "../../components/CommentThread";
import { ErrorNote, Loading, TASK_GONE } from "../../components/common";
import { HistoryPanel } from "../../components/Panels";
import { Progress, SubtaskList } from "../../components/SubtaskList";
import { TaskEditor, type SaveOptions } from "../../components/TaskEditor";
import { formatTime, relativeDay, wallClockIn } from "../../lib/dates";
import { timeOf } from "../time/model";
import { MarkdownText } from "./MarkdownText";

export function TaskPanel(props: {
  taskId: number | "new";
  /** Open with the editor (the menu's "Edit"); else the task as it reads. */
  editing?: boolean;
  history?: boolean;
  /** For a new task: the project it goes to (null: the Inbox) and who it is assigned to. */
  defaults?: { project: number | null; assignees: number[] };
  onClose: () => void;
  onOpen: (task: Task) => void;
}) {
  const { t } = useTranslation();
  const isNew = props.taskId === "new";
  const query = useTask(isNew ? null : (props.taskId as number));
  const title = isNew ? t("New task") : (query.data?.title ?? t("Task"));
  // Read while rendering, before the editor's title takes the focus: where the keyboard goes back to on closing.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  function returnFocus(event: Event) {
    const row = isNew ? null : document.querySelector<HTMLElement>(`[data-task-id="${props.taskId}"] .task-title`);
    const target = opener?.isConnected && opener !== document.body ? opener : row;
    if (target) {
      event.preventDefault();
      target.focus();
    }
  }
  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content
          className="side-panel"
          aria-describedby={undefined}
          onOpenAutoFocus={focusFirstField}
          onCloseAutoFocus={returnFocus}
        >
          <div className="panel-head">
            <Dialog.Title className="panel-title">{isNew ? title : t("Task")}</Dialog.Title>
            <Dialog.Close className="icon-button" aria-label={t("Close")}>
              ×
            </Dialog.Close>
          </div>
          {isNew ? (
            <NewTask defaults={props.defaults} onDone={props.onClose} onCancel={props.onClose} />
          ) : query.isPending ? (
            <Loading what={t("the task")} />
          ) : query.data ? (
            <OpenTask
              key={query.data.id}
              task={query.data}
              editing={props.editing ?? false}
              history={props.history ?? false}
              onClose={props.onClose}
              onOpen={props.onOpen}
            />
          ) : (
            <ErrorNote error={query.error} notFound={TASK_GONE} />
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** On opening, the keyboard goes to the title when there is an editor, else to the panel's first control. */
function focusFirstField(event: Event) {
  const panel = event.currentTarget as HTMLElement;
  const field = panel.querySelector<HTMLElement>("#title");
  if (field) {
    event.preventDefault();
    field.focus();
  }
}

function NewTask(props: { defaults?: { project: number | null; assignees: number[] }; onDone: () => void; onCancel: () => void }) {
  const { user, labels, projects } = useWorkspace();
  async function save(input: TaskInput) {
    await tms().createTask(input);
    void refreshTasks();
    void queryClient.invalidateQueries({ queryKey: keys.projects });
    props.onDone();
  }
  return <TaskEditor labels={labels} projects={projects} me={user} defaults={props.defaults} onSave={save} onCancel={props.onCancel} />;
}

function OpenTask(props: { task: Task; editing: boolean; history: boolean; onClose: () => void; onOpen: (task: Task) => void }) {
  const { t, i18n } = useTranslation();
  const { user, labels, projects, today } = useWorkspace();
  const { task } = props;
  const [editing, setEditing] = useState(props.editing);
  const [showHistory, setShowHistory] = useState(props.history);
  const role = roleFor(task, projects);
  const writer = canWrite(role);
  const project = projects.find((p) => p.id === task.project);
  const projectGone = task.project !== null && !project;

  async function save(input: TaskInput, options?: SaveOptions) {
    // "Save mine anyway" after a conflict: over the version that is there now.
    const base = options?.overwrite ? await tms().task(task.id) : task;
    const saved = await tms().updateTask(base, input);
    queryClient.setQueryData(keys.task(task.id), saved);
    void refreshTasks();
    setEditing(false);
  }
  async function reload() {
    await queryClient.invalidateQueries({ queryKey: keys.task(task.id) });
  }
  const changed = () => {
    void queryClient.invalidateQueries({ queryKey: keys.task(task.id) });
    void refreshTasks();
  };
  // Gone, or no longer shared: the lists and the sidebar catch up (the project may have gone too).
  const gone = () => {
    void refreshTasks();
    void queryClient.invalidateQueries({ queryKey: keys.projects });
  };

  if (projectGone)
    return (
      <p role="alert" className="error">
        {TASK_GONE}
      </p>
    );
  return (
    <div className="panel-body">
      {task.parent && (
        <button
          type="button"
          className="link"
          onClick={() =>
            tms()
              .task(task.parent as number)
              .then(props.onOpen, () => undefined)
          }
        >
          ← {t("Parent task")}
        </button>
      )}
      {editing ? (
        <TaskEditor
          key={task.version}
          task={task}
          labels={labels}
          projects={projects}
          me={user}
          onSave={save}
          onReload={reload}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <article className="details" aria-label={t("Details of {{title}}", { title: task.title })}>
          <h2>{task.title}</h2>
          <p className="meta">
            <span className={`badge status-${task.status}`}>{t(STATUS_NAMES[task.status])}</span>
            {task.priority !== "none" && <span className={`flag priority-${task.priority}`}>⚑ {t(PRIORITY_NAMES[task.priority])}</span>}
            {task.due_date && <span className="due">{dueText(task, today, user.time_zone, i18n.language, t)}</span>}
            {timeOf(task).recurrence && <span className="repeats">↻ {timeOf(task).recurrence_text ?? t("Repeats")}</span>}
            <span>{project ? project.name : t("Inbox")}</span>
            <Progress done={task.subtasks_done} count={task.subtask_count} />
          </p>
          {task.description ? <MarkdownText text={task.description} /> : <p className="muted">{t("No description.")}</p>}
          {task.assignees.length > 0 && <p>{t("Assigned to {{names}}", { names: task.assignees.map(displayName).join(", ") })}</p>}
          {task.labels.length > 0 && (
            <p className="meta">
              {task.labels.map((label) => (
                <span key={label.id} className="label">
                  <span className="swatch" style={{ background: label.colour }} aria-hidden="true" />
                  {label.name}
                </span>
              ))}
            </p>
          )}
          <div className="actions">
            {writer && (
              <button type="button" onClick={() => setEditing(true)}>
                {t("Edit")}
              </button>
            )}
            <button type="button" className="secondary" aria-expanded={showHistory} onClick={() => setShowHistory(!showHistory)}>
              {t("History")}
            </button>
          </div>
        </article>
      )}
      {showHistory && <HistoryPanel task={task} timeZone={user.time_zone} onClose={() => setShowHistory(false)} />}
      <SubtaskList task={task} canWrite={writer} onOpen={props.onOpen} onChanged={changed} onGone={gone} />
      <CommentThread task={task} me={user} myRole={role} onGone={gone} />
    </div>
  );
}

/** "Due Tomorrow", or "Due Tomorrow at 9:00 AM" on the reader's clock when the task has a time. */
function dueText(task: Task, today: string, timeZone: string, language: string, t: TFunction): string {
  const dueAt = timeOf(task).due_at;
  if (!dueAt) return t("Due {{day}}", { day: relativeDay(task.due_date ?? today, today, language) });
  const clock = wallClockIn(dueAt, timeZone);
  return t("Due {{day}} at {{time}}", { day: relativeDay(clock.date, today, language), time: formatTime(clock.time, language) });
}
