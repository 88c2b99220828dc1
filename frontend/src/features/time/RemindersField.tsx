// The task editor's reminders: up to five, each "at the due time", some minutes, an hour or a day before it, or at a
// date and time of its own (in the person's time zone). Saved as the task's `reminders` list, which replaces the old.
import { useId } from "react";
import { useTranslation } from "react-i18next";
import type { Task } from "../../api/types";
import { instantAt, wallClockIn } from "../../lib/dates";
import { fieldMessages, MAX_REMINDERS, reminderInput, timeOf, type ReminderInput } from "./model";
import "./time.css";

export interface ReminderDraft {
  key: number;
  /** Minutes before the due time, or "at" for a moment of its own. */
  when: number | "at";
  date: string;
  time: string;
}

const BEFORE_CHOICES = [0, 5, 15, 30, 60, 1440];

let nextKey = 1;

export function initialReminders(task: Task | undefined, timeZone: string): ReminderDraft[] {
  if (!task) return [];
  return timeOf(task).reminders.map((reminder) => {
    if (reminder.at) {
      const { date, time } = wallClockIn(reminder.at, timeZone);
      return { key: nextKey++, when: "at", date, time };
    }
    return { key: nextKey++, when: reminder.before_minutes ?? 0, date: "", time: "" };
  });
}

/** What the drafts send; a reminder at a moment not filled in yet is left out. */
export function reminderInputs(drafts: ReminderDraft[], timeZone: string): ReminderInput[] {
  return drafts.flatMap((draft): ReminderInput[] => {
    if (draft.when !== "at") return [{ before_minutes: draft.when }];
    if (!draft.date || !draft.time) return [];
    return [{ at: instantAt(draft.date, draft.time, timeZone) }];
  });
}

/** Whether the reminders to send differ from the task's (the same moment written differently is the same). */
export function remindersChanged(task: Task | undefined, inputs: ReminderInput[]): boolean {
  const key = (r: ReminderInput) => ("at" in r ? `at ${new Date(r.at).getTime()}` : `before ${r.before_minutes}`);
  const before = task ? timeOf(task).reminders.map((r) => key(reminderInput(r))) : [];
  const after = inputs.map(key);
  return before.length !== after.length || before.some((k, i) => k !== after[i]);
}

export function RemindersField(props: {
  value: ReminderDraft[];
  onChange: (value: ReminderDraft[]) => void;
  hasTime: boolean;
  hasDate: boolean;
  /** A refused save: its messages about the reminders are shown here. */
  error?: unknown;
}) {
  const { t } = useTranslation();
  const refused = fieldMessages(props.error, "reminders");
  const noteId = useId();
  const { value } = props;
  const label = (minutes: number) => {
    if (minutes === 0) return t("At the due time");
    if (minutes % 1440 === 0) return t("{{count}} days before", { count: minutes / 1440 });
    if (minutes % 60 === 0) return t("{{count}} hours before", { count: minutes / 60 });
    return t("{{count}} minutes before", { count: minutes });
  };
  const update = (key: number, changes: Partial<ReminderDraft>) =>
    props.onChange(value.map((draft) => (draft.key === key ? { ...draft, ...changes } : draft)));
  return (
    <fieldset className="reminders">
      <legend>{t("Reminders")}</legend>
      <p id={noteId} className="muted">
        {!props.hasDate
          ? t("Reminders before the due time need a due date.")
          : props.hasTime
            ? ""
            : t("Without a due time, reminders count from 9:00 on the due date.")}
      </p>
      {value.length > 0 && (
        <ul className="reminder-list">
          {value.map((draft, index) => {
            const choices =
              typeof draft.when === "number" && !BEFORE_CHOICES.includes(draft.when) ? [...BEFORE_CHOICES, draft.when] : BEFORE_CHOICES;
            const name = t("Reminder {{n}}", { n: index + 1 });
            return (
              <li key={draft.key} className="row">
                <select
                  aria-label={name}
                  aria-describedby={noteId}
                  value={String(draft.when)}
                  onChange={(e) => update(draft.key, { when: e.target.value === "at" ? "at" : Number(e.target.value) })}
                >
                  {choices.map((minutes) => (
                    <option key={minutes} value={minutes}>
                      {label(minutes)}
                    </option>
                  ))}
                  <option value="at">{t("At a date and time…")}</option>
                </select>
                {draft.when === "at" && (
                  <>
                    <input
                      type="date"
                      aria-label={t("{{reminder}}: date", { reminder: name })}
                      value={draft.date}
                      required
                      onChange={(e) => update(draft.key, { date: e.target.value })}
                    />
                    <input
                      type="time"
                      aria-label={t("{{reminder}}: time", { reminder: name })}
                      value={draft.time}
                      required
                      onChange={(e) => update(draft.key, { time: e.target.value })}
                    />
                  </>
                )}
                <button
                  type="button"
                  className="secondary"
                  aria-label={t("Remove {{reminder}}", { reminder: name })}
                  onClick={() => props.onChange(value.filter((d) => d.key !== draft.key))}
                >
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {refused && (
        <span className="field-error" role="alert">
          {refused}
        </span>
      )}
      <button
        type="button"
        className="secondary"
        disabled={value.length >= MAX_REMINDERS}
        onClick={() => props.onChange([...value, { key: nextKey++, when: props.hasDate ? 0 : "at", date: "", time: "" }])}
      >
        {value.length >= MAX_REMINDERS ? t("At most {{max}} reminders", { max: MAX_REMINDERS }) : t("Add a reminder")}
      </button>
    </fieldset>
  );
}
