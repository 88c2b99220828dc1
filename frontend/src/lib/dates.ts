// Dates as people say them, in the app's language, through Intl. Due dates are calendar days (YYYY-MM-DD) with no
// time zone of their own: they are read and formatted as UTC days so that no zone can move them by one.
import { localeOf } from "./locale";

const DAY_MS = 86_400_000;

function utcDay(isoDate: string): Date {
  const [year, month, day] = isoDate.slice(0, 10).split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day));
}

/** Whole days from `today` to `isoDate` (negative: in the past). */
export function daysBetween(today: string, isoDate: string): number {
  return Math.round((utcDay(isoDate).getTime() - utcDay(today).getTime()) / DAY_MS);
}

function capitalise(text: string, locale: string): string {
  return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}

/**
 * A due date as people say it: "Today", "Tomorrow", "Yesterday", the weekday within the next six days ("Friday"),
 * otherwise "Fri 12 Dec" with the year when it is not this year's. `today` is YYYY-MM-DD in the person's time zone.
 */
export function relativeDay(isoDate: string, today: string, language: string): string {
  const locale = localeOf(language);
  const days = daysBetween(today, isoDate);
  if (days >= -1 && days <= 1) {
    return capitalise(new Intl.RelativeTimeFormat(locale, { numeric: "auto" }).format(days, "day"), locale);
  }
  const date = utcDay(isoDate);
  if (days > 1 && days <= 6) return new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" }).format(date);
  const sameYear = isoDate.slice(0, 4) === today.slice(0, 4);
  return new Intl.DateTimeFormat(locale, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: sameYear ? undefined : "numeric",
    timeZone: "UTC",
  }).format(date);
}

/** Whether a due date (YYYY-MM-DD) is before `today` (YYYY-MM-DD). */
export function isOverdue(isoDate: string, today: string): boolean {
  return isoDate.slice(0, 10) < today.slice(0, 10);
}

/** An instant (a comment's or an event's time) as date and time in the person's time zone; the browser's if it is unknown. */
export function formatDateTime(iso: string, language: string, timeZone?: string): string {
  const date = new Date(iso);
  const options: Intl.DateTimeFormatOptions = { dateStyle: "medium", timeStyle: "short" };
  try {
    return new Intl.DateTimeFormat(localeOf(language), { ...options, timeZone }).format(date);
  } catch {
    // An unknown zone (an account made before the zone list changed) must not break the page.
    return new Intl.DateTimeFormat(localeOf(language), options).format(date);
  }
}

/** A number with the language's grouping and decimal marks: 12,345.5 or 12.345,5. */
export function formatNumber(n: number, language: string): string {
  return new Intl.NumberFormat(localeOf(language)).format(n);
}
