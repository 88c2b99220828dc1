// The tasks a calendar page shows: every task due in its days, however many (pages of 100, one after another).
import { tms } from "../../api/tms";
import type { Task } from "../../api/types";

/** A task as the calendar shows it: due_time "HH:MM" and due_at (a UTC instant, null without a time) in the owner's
 * time zone, recurrence_text in English (null when it does not repeat). */
export type CalendarTask = Task;

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
