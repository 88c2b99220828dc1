import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client";
import { cutTitle, TITLE_MAX_LENGTH } from "../lib/titles";
import {
  PRIORITIES,
  PRIORITY_NAMES,
  STATUSES,
  STATUS_NAMES,
  type Label,
  type Priority,
  type Project,
  type Status,
  type Task,
  type TaskInput,
  type User,
} from "../api/types";
import { initialReminders, reminderInputs, remindersChanged, RemindersField } from "../features/time/RemindersField";
import { initialRepeat, repeatRule, RepeatField } from "../features/time/RepeatField";
import { timeOf, type TimedTaskInput } from "../features/time/model";
import { canWrite } from "./access";
import { AssigneePicker } from "./AssigneePicker";
import { ErrorNote, Field, TASK_GONE } from "./common";

export interface SaveOptions {
  /** Save over a change someone else made since the editor opened (after a conflict). */
  overwrite?: boolean;
}

/** A 412 to an edit: the task changed (someone else saved) since the editor read it. */
const isConflict = (error: unknown) => error instanceof ApiError && error.status === 412;

/**
 * Create or edit a task: title, description, status, priority, due date and time, repeat, reminders, labels, project,
 * assignees. The time fields are sent only when they differ from the task's, so other edits never depend on them.
 */
export function TaskEditor(props: {
  task?: Task;
  labels: Label[];
  projects?: Project[];
  me: User;
  /** For a new task: the project it goes to (null: the Inbox) and who it is assigned to. */
  defaults?: { project: number | null; assignees: number[] };
  onSave: (input: TaskInput, options?: SaveOptions) => Promise<void>;
  /** After a conflict: show the task as it is now (the editor's changes are dropped). */
  onReload?: () => Promise<void>;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const { task, me } = props;
  const projects = props.projects ?? [];
  const [title, setTitle] = useState(task?.title ?? "");
  // A longer title (pasted, say) keeps its start, and the editor says the rest was cut rather than dropping it silently.
  const [titleCut, setTitleCut] = useState(false);
  function changeTitle(value: string) {
    const { title: kept, cut } = cutTitle(value);
    setTitleCut(cut);
    setTitle(kept);
  }
  const [description, setDescription] = useState(task?.description ?? "");
  const [status, setStatus] = useState<Status>(task?.status ?? "todo");
  const [priority, setPriority] = useState<Priority>(task?.priority ?? "none");
  const [due, setDue] = useState(task?.due_date ?? "");
  const saved = task ? timeOf(task) : null;
  const [dueTime, setDueTime] = useState(saved?.due_time ?? "");
  const [repeat, setRepeat] = useState(() => initialRepeat(task));
  const [reminders, setReminders] = useState(() => initialReminders(task, me.time_zone));
  function changeDue(value: string) {
    setDue(value);
    // A time belongs to a day: clearing the date clears it (the server refuses a time without a date).
    if (!value) setDueTime("");
  }
  const [labelIds, setLabelIds] = useState<number[]>(task?.labels.map((l) => l.id) ?? []);
  const [projectId, setProjectId] = useState<number | null>(task ? task.project : (props.defaults?.project ?? null));
  const [assignees, setAssignees] = useState<number[]>(task?.assignees.map((a) => a.id) ?? props.defaults?.assignees ?? []);
  const project = projects.find((p) => p.id === projectId) ?? null;
  // A sub-task stays in its parent's project; a task moves to projects the caller may write to.
  const movable = !task || task.parent === null;
  const targets = projects.filter((p) => p.id === projectId || (!p.archived && canWrite(p.role)));

  function moveTo(id: number | null) {
    setProjectId(id);
    // Assignees must be members of the new project: keep only yourself, who is one.
    setAssignees(assignees.filter((a) => a === me.id));
  }
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function save(options?: SaveOptions) {
    setBusy(true);
    setError(null);
    try {
      const input: TimedTaskInput = { title, description, status, priority, due_date: due || null, labels: labelIds, assignees };
      if (movable && (!task || task.project !== projectId)) input.project = projectId;
      const time = due && dueTime ? dueTime : null;
      if (time !== (saved?.due_time ?? null)) input.due_time = time;
      const rule = repeatRule(repeat, due);
      if (rule !== (saved?.recurrence ?? "")) input.recurrence = rule;
      if (rule && repeat.basis !== (saved?.recurrence_basis ?? "due")) input.recurrence_basis = repeat.basis;
      const reminderList = reminderInputs(reminders, me.time_zone);
      if (remindersChanged(task, reminderList)) input.reminders = reminderList;
      await props.onSave(input, options);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    void save();
  }

  return (
    <form className="editor" onSubmit={submit} aria-label={task ? t("Edit task") : t("New task")}>
      <h2>{task ? t("Edit task") : t("New task")}</h2>
      <Field label={t("Title")} name="title" error={error}>
        {/* The editor opens on request (New task, Edit): the title is where the keyboard should be. */}
        {/* eslint-disable-next-line jsx-a11y/no-autofocus */}
        <input id="title" value={title} onChange={(e) => changeTitle(e.target.value)} aria-describedby="title-note" required autoFocus />
        <span id="title-note" className="field-note" role="status">
          {titleCut ? t("Titles are at most {{max}} characters; the rest was cut.", { max: TITLE_MAX_LENGTH }) : ""}
        </span>
      </Field>
      <Field label={t("Description")} name="description" error={error}>
        <textarea id="description" value={description} maxLength={10000} onChange={(e) => setDescription(e.target.value)} rows={4} />
      </Field>
      <div className="row">
        <Field label={t("Status")} name="status" error={error}>
          <select id="status" value={status} onChange={(e) => setStatus(e.target.value as Status)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(STATUS_NAMES[s])}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("Priority")} name="priority" error={error}>
          <select id="priority" value={priority} onChange={(e) => setPriority(e.target.value as Priority)}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(PRIORITY_NAMES[p])}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("Due date")} name="due_date" error={error}>
          <input id="due_date" type="date" value={due} onChange={(e) => changeDue(e.target.value)} />
        </Field>
        <Field label={t("Due time")} name="due_time" error={error}>
          <input id="due_time" type="time" value={dueTime} disabled={!due} onChange={(e) => setDueTime(e.target.value)} />
        </Field>
      </div>
      <RepeatField
        dueDate={due}
        value={repeat}
        onChange={setRepeat}
        saved={saved ? { rule: saved.recurrence, text: saved.recurrence_text } : undefined}
        error={error}
      />
      <RemindersField value={reminders} onChange={setReminders} hasDate={Boolean(due)} hasTime={Boolean(due && dueTime)} error={error} />
      {movable && (
        <Field label={t("Project")} name="project" error={error}>
          <select id="project" value={projectId ?? ""} onChange={(e) => moveTo(e.target.value ? Number(e.target.value) : null)}>
            <option value="">{t("Inbox")}</option>
            {targets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
      )}
      <AssigneePicker project={project} me={me} value={assignees} onChange={setAssignees} error={error} />
      {props.labels.length > 0 && (
        <fieldset>
          <legend>{t("Labels")}</legend>
          {props.labels.map((label) => (
            <label key={label.id} className="check">
              <input
                type="checkbox"
                checked={labelIds.includes(label.id)}
                onChange={(e) => setLabelIds(e.target.checked ? [...labelIds, label.id] : labelIds.filter((id) => id !== label.id))}
              />
              <span className="swatch" style={{ background: label.colour }} aria-hidden="true" /> {label.name}
            </label>
          ))}
        </fieldset>
      )}
      {isConflict(error) ? (
        <div role="alert" className="conflict">
          <p>{t("Someone else changed this task while you were editing it. Nothing of yours was saved yet.")}</p>
          <div className="actions">
            {props.onReload && (
              <button type="button" className="secondary" onClick={() => void props.onReload?.()}>
                {t("Show their version")}
              </button>
            )}
            <button type="button" className="danger" onClick={() => void save({ overwrite: true })}>
              {t("Save mine over theirs")}
            </button>
          </div>
        </div>
      ) : (
        <ErrorNote error={error} notFound={TASK_GONE} />
      )}
      <div className="actions">
        <button type="submit" disabled={busy}>
          {t("Save")}
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          {t("Cancel")}
        </button>
      </div>
    </form>
  );
}
