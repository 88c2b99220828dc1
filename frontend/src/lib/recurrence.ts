// Repeat rules as the API stores them: an RFC 5545 RRULE without "RRULE:" and without DTSTART (the task's due date
// is the start), e.g. "FREQ=MONTHLY;BYMONTHDAY=-1". The editor's presets and its "Custom…" form both read and write
// them here, so that a rule made one way opens the other way unchanged. No library: the task editor must not pull
// rrule.js (which only quick add needs, to read "every …" phrases) into the task panel.

export type Frequency = "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY";
export const FREQUENCIES: Frequency[] = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"];

export type Weekday = "MO" | "TU" | "WE" | "TH" | "FR" | "SA" | "SU";
export const WEEKDAYS: Weekday[] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const WORKDAYS: Weekday[] = ["MO", "TU", "WE", "TH", "FR"];

export interface Rule {
  freq: Frequency;
  /** Every `interval` days, weeks, months or years (1: every one). */
  interval: number;
  /** Weekly rules: on these days (empty: the due date's weekday). */
  byDay: Weekday[];
  /** Monthly rules: on this day of the month, 1–31, or -1 for the last day (null: the due date's day). */
  monthDay: number | null;
  /** Ends after this many times (null: no count; 0 while being typed counts as 1). */
  count: number | null;
  /** Ends on this date, YYYY-MM-DD (null: no end date; "" while being chosen: none yet). */
  until: string | null;
}

export const NEVER: Rule = { freq: "DAILY", interval: 1, byDay: [], monthDay: null, count: null, until: null };

/** The rule's parts, or null when it uses something this form cannot show (BYSETPOS, BYMONTH, "2FR" …). */
export function parseRule(text: string): Rule | null {
  const rule: Rule = { ...NEVER, byDay: [] };
  let freq: Frequency | null = null;
  for (const part of text
    .trim()
    .replace(/^RRULE:/i, "")
    .split(";")) {
    if (!part) continue;
    const [name, value = ""] = part.split("=", 2).map((s) => s.trim().toUpperCase());
    if (name === "FREQ" && (FREQUENCIES as string[]).includes(value)) freq = value as Frequency;
    else if (name === "INTERVAL" && /^[1-9]\d{0,2}$/.test(value)) rule.interval = Number(value);
    else if (name === "BYDAY" && value.split(",").every((d) => (WEEKDAYS as string[]).includes(d)))
      rule.byDay = value.split(",") as Weekday[];
    else if (name === "BYMONTHDAY" && /^(-1|[1-9]|[12]\d|3[01])$/.test(value)) rule.monthDay = Number(value);
    else if (name === "COUNT" && /^[1-9]\d{0,2}$/.test(value)) rule.count = Number(value);
    else if (name === "UNTIL" && /^\d{8}(T\d{6}Z?)?$/.test(value))
      rule.until = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
    else if (name === "WKST") continue;
    else return null;
  }
  if (!freq) return null;
  rule.freq = freq;
  if (rule.byDay.length > 0 && freq !== "WEEKLY") return null;
  if (rule.monthDay !== null && freq !== "MONTHLY") return null;
  return rule;
}

/** The RRULE string for the rule's parts, in a fixed order (what parseRule reads back). */
export function formatRule(rule: Rule): string {
  const parts = [`FREQ=${rule.freq}`];
  if (rule.interval > 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.freq === "WEEKLY" && rule.byDay.length > 0) parts.push(`BYDAY=${WEEKDAYS.filter((d) => rule.byDay.includes(d)).join(",")}`);
  if (rule.freq === "MONTHLY" && rule.monthDay !== null) parts.push(`BYMONTHDAY=${rule.monthDay}`);
  if (rule.count !== null) parts.push(`COUNT=${Math.max(1, rule.count)}`);
  else if (rule.until) parts.push(`UNTIL=${rule.until.replaceAll("-", "")}`);
  return parts.join(";");
}

/** The weekday (MO…SU) of a calendar date, YYYY-MM-DD. */
export function weekdayOf(isoDate: string): Weekday {
  const [year, month, day] = isoDate.split("-").map(Number);
  return WEEKDAYS[(new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7];
}

export type PresetName = "none" | "daily" | "weekdays" | "weekly" | "monthly" | "monthly-last" | "yearly";
export const PRESET_NAMES: PresetName[] = ["none", "daily", "weekdays", "weekly", "monthly", "monthly-last", "yearly"];

/** The editor's ready-made repeats for a task due on `dueDate` ("every week on <that weekday>" …). */
export function presetRule(name: PresetName, dueDate: string): string {
  switch (name) {
    case "none":
      return "";
    case "daily":
      return "FREQ=DAILY";
    case "weekdays":
      return "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR";
    case "weekly":
      return `FREQ=WEEKLY;BYDAY=${weekdayOf(dueDate)}`;
    case "monthly":
      return `FREQ=MONTHLY;BYMONTHDAY=${Number(dueDate.slice(8, 10))}`;
    case "monthly-last":
      return "FREQ=MONTHLY;BYMONTHDAY=-1";
    case "yearly":
      return "FREQ=YEARLY";
  }
}

/** Which preset a stored rule is for that due date ("" is none), or "custom" when it is none of them. */
export function presetOf(rrule: string, dueDate: string): PresetName | "custom" {
  if (!rrule) return "none";
  const rule = parseRule(rrule);
  if (!rule) return "custom";
  const text = formatRule(rule);
  return PRESET_NAMES.find((name) => name !== "none" && presetRule(name, dueDate || "2026-01-05") === text) ?? "custom";
}

/** Whether the rule repeats on workdays only (Monday to Friday). */
export function isWorkdays(rule: Rule): boolean {
  return rule.freq === "WEEKLY" && rule.byDay.length === 5 && WORKDAYS.every((d) => rule.byDay.includes(d));
}
