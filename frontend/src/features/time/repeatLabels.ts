// The words for the ready-made repeats ("Every week on Friday", "Jeden Monat am letzten Tag"), shared by the task
// editor's choice and quick add's preview. Small on purpose: quick add is part of the first page load.
import type { TFunction } from "i18next";
import { localeOf } from "../../lib/locale";
import { WEEKDAYS, isWorkdays, parseRule, weekdayOf, type PresetName, type Weekday } from "../../lib/recurrence";

export const weekdayName = (day: Weekday, language: string) =>
  new Intl.DateTimeFormat(localeOf(language), { weekday: "long", timeZone: "UTC" }).format(
    new Date(Date.UTC(2024, 0, 1 + WEEKDAYS.indexOf(day))), // 1 January 2024 was a Monday
  );

/** The preset's name for a task due on `dueDate` ("" when there is none yet: then without the day). */
export function presetLabel(name: PresetName, dueDate: string, t: TFunction, language: string): string {
  switch (name) {
    case "none":
      return t("Does not repeat");
    case "daily":
      return t("Every day");
    case "weekdays":
      return t("Every weekday (Monday to Friday)");
    case "weekly":
      return dueDate ? t("Every week on {{weekday}}", { weekday: weekdayName(weekdayOf(dueDate), language) }) : t("Every week");
    case "monthly":
      return dueDate ? t("Every month on day {{day}}", { day: Number(dueDate.slice(8, 10)) }) : t("Every month");
    case "monthly-last":
      return t("Every month on the last day");
    case "yearly":
      return dueDate
        ? t("Every year on {{date}}", {
            date: new Intl.DateTimeFormat(localeOf(language), { day: "numeric", month: "long", timeZone: "UTC" }).format(
              new Date(`${dueDate}T00:00:00Z`),
            ),
          })
        : t("Every year");
  }
}

/**
 * A rule in the app's language when it says what one of the presets says, on its own day ("FREQ=WEEKLY;BYDAY=MO" is
 * "Every week on Monday" whatever the due date); null for anything else (other intervals, ends), which the caller
 * words otherwise.
 */
export function ruleLabel(rrule: string, dueDate: string, t: TFunction, language: string): string | null {
  const rule = parseRule(rrule);
  if (!rule || rule.interval > 1 || rule.count !== null || rule.until) return null;
  switch (rule.freq) {
    case "DAILY":
      return presetLabel("daily", dueDate, t, language);
    case "WEEKLY":
      if (isWorkdays(rule)) return presetLabel("weekdays", dueDate, t, language);
      if (rule.byDay.length === 0) return dueDate ? presetLabel("weekly", dueDate, t, language) : null;
      return rule.byDay.length === 1 ? t("Every week on {{weekday}}", { weekday: weekdayName(rule.byDay[0], language) }) : null;
    case "MONTHLY":
      if (rule.monthDay === -1) return presetLabel("monthly-last", dueDate, t, language);
      if (rule.monthDay !== null) return t("Every month on day {{day}}", { day: rule.monthDay });
      return dueDate ? presetLabel("monthly", dueDate, t, language) : null;
    case "YEARLY":
      return dueDate ? presetLabel("yearly", dueDate, t, language) : null;
  }
}
