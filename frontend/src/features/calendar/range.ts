// The calendar's days: calendar dates as YYYY-MM-DD with no time zone of their own (computed in UTC, so no zone can
// move one by a day), weeks from Monday to Sunday, a month as the whole weeks that hold it.

export type CalendarView = "month" | "week";

const DAY_MS = 86_400_000;

function utc(isoDate: string): Date {
  const [year, month, day] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day));
}

const iso = (date: Date) => date.toISOString().slice(0, 10);

/** A real calendar date written YYYY-MM-DD (2026-02-30 is not one), or null. */
export function parseDate(text: string | null): string | null {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const date = utc(text);
  return Number.isNaN(date.getTime()) || iso(date) !== text ? null : text;
}

export function addDays(isoDate: string, days: number): string {
  return iso(new Date(utc(isoDate).getTime() + days * DAY_MS));
}

/** The Monday of the week the date is in. */
export function mondayOf(isoDate: string): string {
  const weekday = (utc(isoDate).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return addDays(isoDate, -weekday);
}

/** The same day of the month `months` away, or that month's last day when it is shorter (31 Jan + 1 = 28 Feb). */
export function addMonths(isoDate: string, months: number): string {
  const date = utc(isoDate);
  const first = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(date.getUTCDate(), last));
  return iso(first);
}

/** Every day the view shows around `isoDate`: its week, or the whole weeks of its month (Monday first). */
export function visibleDays(view: CalendarView, isoDate: string): string[] {
  if (view === "week") {
    const monday = mondayOf(isoDate);
    return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  }
  const first = `${isoDate.slice(0, 7)}-01`;
  const last = addDays(addMonths(first, 1), -1);
  const start = mondayOf(first);
  const end = addDays(mondayOf(last), 6);
  const count = Math.round((utc(end).getTime() - utc(start).getTime()) / DAY_MS) + 1;
  return Array.from({ length: count }, (_, i) => addDays(start, i));
}

/** The date the previous (-1) or next (+1) page of the view shows. */
export function step(view: CalendarView, isoDate: string, direction: -1 | 1): string {
  return view === "week" ? addDays(isoDate, 7 * direction) : addMonths(isoDate, direction);
}

/** A calendar day as a Date at 00:00 UTC, for Intl with timeZone "UTC". */
export const dayDate = utc;
