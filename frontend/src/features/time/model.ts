// A task's time fields as the API sends and takes them (docs/api.md, "Due times, repeats and reminders"): a time of
// day on the due date, a repeat rule, and up to five reminders. Typed here, next to the screens that use them, so
// that the app reads them the same way whether or not the generated schema types already list them.
import { ApiError } from "../../api/client";
import type { Task, TaskInput } from "../../api/types";

export type RecurrenceBasis = "due" | "completion";

/** A reminder as the server has it: `before_minutes` before the due time, or `at` a moment; `fire_at` is when it goes off. */
export interface Reminder {
  id?: number;
  before_minutes: number | null;
  at: string | null;
  fire_at?: string | null;
}

/** A reminder as the app sends it: one of the two. */
export type ReminderInput = { before_minutes: number } | { at: string };

export const MAX_REMINDERS = 5;

export interface TimeFields {
  /** "HH:MM" in the task owner's time zone, or null. */
  due_time: string | null;
  /** The due date and time as a UTC instant; null when there is no time. */
  due_at: string | null;
  /** An RRULE without "RRULE:" ("" when the task does not repeat). */
  recurrence: string;
  recurrence_basis: RecurrenceBasis;
  /** The server's English description ("every month on the last day"), null when it does not repeat. */
  recurrence_text: string | null;
  reminders: Reminder[];
}

export interface TimeInput {
  due_time?: string | null;
  recurrence?: string;
  recurrence_basis?: RecurrenceBasis;
  reminders?: ReminderInput[];
}

/** A task with its time fields; an answer from a server without them reads as no time, no repeat, no reminders. */
export function timeOf(task: Task): TimeFields {
  const fields = task as Task & Partial<TimeFields>;
  return {
    due_time: fields.due_time ? fields.due_time.slice(0, 5) : null,
    due_at: fields.due_at ?? null,
    recurrence: fields.recurrence ?? "",
    recurrence_basis: fields.recurrence_basis === "completion" ? "completion" : "due",
    recurrence_text: fields.recurrence_text ?? null,
    reminders: fields.reminders ?? [],
  };
}

export type TimedTaskInput = TaskInput & TimeInput;

/** The reminder as sent back to the server (id and fire_at are the server's). */
export function reminderInput(reminder: Reminder): ReminderInput {
  return reminder.at ? { at: reminder.at } : { before_minutes: reminder.before_minutes ?? 0 };
}

/** The API's messages for these fields of a refused save, joined ("" when it named none of them). */
export function fieldMessages(error: unknown, ...names: string[]): string {
  if (!(error instanceof ApiError)) return "";
  return names
    .map((name) => error.fieldMessage(name))
    .filter(Boolean)
    .join(" ");
}
