// The tasks a calendar page shows: every task due in its days, however many (pages of 100, one after another),
// with the time fields of issue #22 (typed here until the schema's generated types carry them).
import { tms } from "../../api/tms";
import type { Task } from "../../api/types";

export type CalendarTask = Task & {
  /** "HH:MM" in the owner's time zone, or null. */
  due_time?: string | null;
  /** The due date and time as a UTC instant; null without a due time. */
  due_at?: string | null;
  recurrence?: string;
  /** English, e.g. "every month on the last day"; null when the task does not repeat. */
  recurrence_text?: string | null;
};

export async function tasksDue(from: string, to: string): Promise<CalendarTask[]> {
  let page = await tms().tasks({ due_after: from, due_before: to, ordering: "due_date", page_size: 100 });
  const all: CalendarTask[] = [...page.results];
  while (page.next) {
    page = await tms().page(page.next);
    all.push(...page.results);
  }
  return all;
}

/** Within a day: timed tasks by their time first, then the rest as the server ordered them. */
export function byTime(a: CalendarTask, b: CalendarTask): number {
  const at = a.due_at ?? "~";
  const bt = b.due_at ?? "~";
  return at < bt ? -1 : at > bt ? 1 : 0;
}
