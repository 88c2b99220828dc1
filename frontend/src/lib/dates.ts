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

/** A time of day ("HH:MM") as the language writes it: "9:00 AM", "09:00". */
export function formatTime(time: string, language: string): string {
  const [hour, minute] = time.split(":").map(Number);
  return new Intl.DateTimeFormat(localeOf(language), { hour: "numeric", minute: "2-digit", timeZone: "UTC" }).format(
    new Date(Date.UTC(2000, 0, 1, hour, minute)),
  );
}

/** Wall-clock date (YYYY-MM-DD) and time (HH:MM) of an instant in a time zone; the browser's if the zone is unknown. */
export function wallClockIn(iso: string | Date, timeZone?: string): { date: string; time: string } {
  const options: Intl.DateTimeFormatOptions = {
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  };
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", { ...options, timeZone });
  } catch {
    format = new Intl.DateTimeFormat("en-US", options);
  }
  const parts = format.formatToParts(typeof iso === "string" ? new Date(iso) : iso);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "00";
  return { date: `${part("year")}-${part("month")}-${part("day")}`, time: `${part("hour")}:${part("minute")}` };
}

/** The UTC instant (ISO) at which the clocks of the time zone show that date (YYYY-MM-DD) and time (HH:MM). */
export function instantAt(date: string, time: string, timeZone?: string): string {
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  const wanted = Date.UTC(year, month - 1, day, hour, minute);
  // Guess the instant as if the zone were UTC, then correct by the zone's offset there (twice, for a DST change between).
  let instant = wanted;
  for (let i = 0; i < 2; i++) {
    const shown = wallClockIn(new Date(instant), timeZone);
    const [sy, sm, sd] = shown.date.split("-").map(Number);
    const [sh, smin] = shown.time.split(":").map(Number);
    instant += wanted - Date.UTC(sy, sm - 1, sd, sh, smin);
  }
  return new Date(instant).toISOString().replace(".000Z", "Z");
}

/** Whether a task is overdue: past its due moment when it has a time (`dueAt`), else due before today. */
export function isPastDue(dueDate: string, dueAt: string | null, today: string, now: Date = new Date()): boolean {
  if (dueAt) return new Date(dueAt).getTime() < now.getTime();
  return isOverdue(dueDate, today);
}
