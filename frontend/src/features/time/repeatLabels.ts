// The words for the ready-made repeats ("Every week on Friday", "Jeden Monat am letzten Tag"), shared by the task
// editor's choice and quick add's preview. Small on purpose: quick add is part of the first page load.
import type { TFunction } from "i18next";
import { localeOf } from "../../lib/locale";
import { WEEKDAYS, weekdayOf, type PresetName, type Weekday } from "../../lib/recurrence";

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
