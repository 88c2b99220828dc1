// Quick add's inline syntax, as in Todoist: "Pay rent tomorrow #home !high" is the task "Pay rent", due
// tomorrow, labelled home, high priority; "Pay rent every month on the 1st 9am" repeats. Dates and times are read
// by chrono-node, repeats by rrule.js (RRule.fromText); both are loaded on demand so that they stay out of the first
// page load. Repeat phrases are read in English only (rrule.js knows no other language).
import type { ParsedResult, ParsingOption, ParsingReference } from "chrono-node";
import type { Label, Priority } from "../../api/types";
import { findRepeat, firstOccurrence, type RepeatParser } from "./repeat";

export { loadRepeatParser, type RepeatParser } from "./repeat";

/** The part of a chrono-node parser quick add uses (`casual` of chrono-node's `en` or `de` locale). */
export interface ChronoParser {
  parse(text: string, reference?: ParsingReference | Date, option?: ParsingOption): ParsedResult[];
}

export type QuickAddLanguage = "en" | "de";

export interface QuickAddContext {
  /** The person's labels: `#name` picks the one of that name, in any case. */
  labels: Label[];
  now: Date;
  /** An IANA time zone: "tomorrow" is tomorrow there. */
  timeZone: string;
  language: QuickAddLanguage;
  /** From `loadChrono`; null while it loads (dates are then left in the title). */
  chrono: ChronoParser | null;
  /** From `loadRepeatParser`; null or left out while it loads (an "every …" phrase then stays in the title). */
  repeat?: RepeatParser | null;
}

export interface QuickAdd {
  title: string;
  labelIds: number[];
  /** `#words` that name none of the labels; they stay in the title ("Fix issue #42"). */
  unknownLabels: string[];
  priority?: Priority;
  /** YYYY-MM-DD, in the context's time zone. */
  dueDate?: string;
  /** The words the due date was read from ("next friday"). */
  dateText?: string;
  /** HH:MM on the due date, in the context's time zone ("9am", "at 17:30"). */
  dueTime?: string;
  /** An RRULE without DTSTART ("FREQ=MONTHLY;BYMONTHDAY=1"), read from `repeatText`. */
  recurrence?: string;
  /** The words the repeat was read from ("every month on the 1st"). */
  repeatText?: string;
}

/** chrono-node's casual parser for the language; only that locale's code is fetched. */
export async function loadChrono(language: QuickAddLanguage): Promise<ChronoParser> {
  const locale = language === "de" ? await import("chrono-node/de") : await import("chrono-node/en");
  return locale.casual;
}

const PRIORITY_WORDS: Record<string, Priority> = {
  urgent: "urgent",
  high: "high",
  medium: "medium",
  low: "low",
  "1": "high",
  "2": "medium",
  "3": "low",
};
// German words work too when the app speaks German.
const PRIORITY_WORDS_DE: Record<string, Priority> = { dringend: "urgent", hoch: "high", mittel: "medium", niedrig: "low" };

// A token starts at the beginning or after a space, so "e-mail me!" or "C#" are left alone.
const TOKEN = /(^|\s)([#!])([^\s#!]+)/gu;
const TRAILING_PUNCTUATION = /[.,;:?)]+$/u;

export function parseQuickAdd(text: string, context: QuickAddContext): QuickAdd {
  const byName = new Map(context.labels.map((label) => [label.name.toLocaleLowerCase(), label.id]));
  const priorityWords = context.language === "de" ? { ...PRIORITY_WORDS, ...PRIORITY_WORDS_DE } : PRIORITY_WORDS;
  const labelIds: number[] = [];
  const unknownLabels: string[] = [];
  let priority: Priority | undefined;

  // Recognised tokens are blanked out (same length) so that chrono's positions still fit the text.
  let rest = text.replace(TOKEN, (whole, space: string, sigil: string, word: string) => {
    const blank = space + " ".repeat(whole.length - space.length);
    const bare = word.replace(TRAILING_PUNCTUATION, "") || word;
    if (sigil === "!") {
      const named = priorityWords[bare.toLocaleLowerCase()];
      if (!named) return whole;
      priority = named; // the last one written wins
      return blank;
    }
    const id = byName.get(word.toLocaleLowerCase()) ?? byName.get(bare.toLocaleLowerCase());
    if (id === undefined) {
      if (!unknownLabels.includes(bare)) unknownLabels.push(bare);
      return whole;
    }
    if (!labelIds.includes(id)) labelIds.push(id);
    return blank;
  });

  // The repeat first, so that its "Monday" or "1st" is not also read as the due date.
  const repeat = context.repeat && context.chrono ? findRepeat(rest, context.repeat) : undefined;
  if (repeat) rest = blankOut(rest, repeat.index, repeat.text.length);

  let dueDate: string | undefined;
  let dateText: string | undefined;
  let dueTime: string | undefined;
  const found = context.chrono ? findDate(rest, context.chrono, context.now, context.timeZone, Boolean(repeat)) : undefined;
  if (found) {
    ({ dueDate, dateText, dueTime } = found);
    rest = blankOut(rest, found.index, found.dateText.length);
  }
  if (repeat && context.repeat && !dueDate) {
    // "every week on Monday" with no date of its own is first due on the next Monday (today if today is one and its
    // time has not passed).
    const today = wallClock(context.now, context.timeZone);
    const passed = dueTime !== undefined && dueTime <= `${pad(today.hour)}:${pad(today.minute)}`;
    dueDate = firstOccurrence(context.repeat, repeat.rule, isoDate(today), passed);
    if (!dueDate) return plain(text, context, labelIds, unknownLabels, priority);
  }

  const title = rest.replace(/\s+/gu, " ").trim();
  const parsed: QuickAdd = { title, labelIds, unknownLabels, priority, dueDate, dateText };
  if (dueTime) parsed.dueTime = dueTime;
  if (repeat) Object.assign(parsed, { recurrence: repeat.rule, repeatText: repeat.text });
  return parsed;
}

/** The text read without its repeat (an "every …" that never happens, such as one that ended in the past). */
function plain(
  text: string,
  context: QuickAddContext,
  labelIds: number[],
  unknownLabels: string[],
  priority: Priority | undefined,
): QuickAdd {
  const parsed = parseQuickAdd(text, { ...context, repeat: null });
  return { ...parsed, labelIds, unknownLabels, priority };
}

function blankOut(text: string, index: number, length: number): string {
  return text.slice(0, index) + " ".repeat(length) + text.slice(index + length);
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * The first date in the text that is meant as one. chrono reads dates into ordinary words, so a match counts only if
 * - it fixes a day: a day of the month ("on 12 dec", "May 5"), a weekday ("next friday", "Freitag"), or a day
 *   relative to today ("tomorrow", "in 3 days", "next week"). A month alone ("Call Mum about May", "March on")
 *   or a time alone ("at 10") is not a due date;
 * - a weekday on its own is written out in full: "fri", "Sat" ("Sat nav"), German "So" ("so"), "Do", "Mi" are
 *   left in the title; "next fri" or "am Do" still count;
 * - a date of digits only has a year: "1/2 cup" or "pages 3/4" are not dates, "12/24/2026" is;
 * - it is not "now" ("Fix it now" is urgent, not due), and it is not before today ("Review last week").
 * Dates without a year are taken forward: "on 12 jan" in December is next January. A time of day with the date
 * ("tomorrow 9am", "friday at 17:30") is the due time; a time alone counts only next to a repeat ("every day 9am"),
 * which gives the date.
 */
function findDate(text: string, chrono: ChronoParser, now: Date, timeZone: string, repeats: boolean) {
  const reference = { instant: now, timezone: offsetMinutes(now, timeZone) };
  const today = isoDate(wallClock(now, timeZone));
  for (const result of chrono.parse(text, reference, { forwardDate: true })) {
    const { start } = result;
    const dueTime = start.isCertain("hour") ? `${pad(start.get("hour") ?? 0)}:${pad(start.get("minute") ?? 0)}` : undefined;
    if (!fixesADay(result)) {
      if (repeats && dueTime && !result.tags().has("casualReference/now")) return { dateText: result.text, index: result.index, dueTime };
      continue;
    }
    const dueDate = isoDate({ year: start.get("year") ?? 0, month: start.get("month") ?? 0, day: start.get("day") ?? 0 });
    if (dueDate < today) continue;
    return { dueDate, dateText: result.text, index: result.index, dueTime };
  }
  return undefined;
}

const FULL_WEEKDAY_LENGTH = 6; // the shortest full names: "Monday", "Friday", "Montag", "Sonntag" is longer

function fixesADay(result: ParsedResult): boolean {
  const { start, text } = result;
  if (result.tags().has("casualReference/now")) return false;
  if (!/\p{L}/u.test(text) && !start.isCertain("year")) return false;
  if (start.isCertain("day")) return true;
  if (!start.isCertain("weekday")) return false;
  const words = text.trim().split(/\s+/u);
  return words.length > 1 || words[0].length >= FULL_WEEKDAY_LENGTH;
}

interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

function isoDate({ year, month, day }: CalendarDate): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function wallClock(instant: Date, timeZone: string): CalendarDate & { hour: number; minute: number; second: number } {
  const parts = clockFormat(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: part("year"),
    month: part("month"),
    day: part("day"),
    hour: part("hour"),
    minute: part("minute"),
    second: part("second"),
  };
}

function clockFormat(timeZone: string | undefined): Intl.DateTimeFormat {
  const options: Intl.DateTimeFormatOptions = {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  };
  try {
    return new Intl.DateTimeFormat("en-US", options);
  } catch {
    // A zone this browser does not know (an account's zone from a newer list) falls back to the browser's own.
    return new Intl.DateTimeFormat("en-US", { ...options, timeZone: undefined });
  }
}

/** How far the time zone's clocks are ahead of UTC at that instant, in minutes (Tokyo: 540). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const clock = wallClock(instant, timeZone);
  const asUtc = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

/** Today's date (YYYY-MM-DD) in the time zone. */
export function todayIn(timeZone: string, now: Date): string {
  return isoDate(wallClock(now, timeZone));
}
