// The task editor's repeat: ready-made rules for the due date ("every week on Friday") or "Custom…" (every N days,
// weeks, months or years; weekdays; a day of the month or the last; an end), and whether the next date counts from
// the due date or from the day it is completed. The server's own description of the saved rule is shown under it.
import { useTranslation } from "react-i18next";
import type { Task } from "../../api/types";
import {
  FREQUENCIES,
  PRESET_NAMES,
  WEEKDAYS,
  formatRule,
  parseRule,
  presetOf,
  presetRule,
  weekdayOf,
  type Frequency,
  type PresetName,
  type Rule,
  type Weekday,
} from "../../lib/recurrence";
import { fieldMessages, timeOf, type RecurrenceBasis } from "./model";
import { presetLabel as presetText, weekdayName } from "./repeatLabels";
import "./time.css";

export interface RepeatState {
  choice: PresetName | "custom";
  custom: Rule;
  /** A saved rule this form cannot show part by part (set through the API): kept as it is until another is chosen. */
  raw: string | null;
  basis: RecurrenceBasis;
}

export function initialRepeat(task?: Task): RepeatState {
  const { recurrence, recurrence_basis } = task ? timeOf(task) : { recurrence: "", recurrence_basis: "due" as const };
  const due = task?.due_date ?? "";
  const choice = presetOf(recurrence, due);
  const parsed = recurrence ? parseRule(recurrence) : null;
  return {
    choice,
    custom: parsed ?? defaultCustom(due),
    raw: recurrence && !parsed ? recurrence : null,
    basis: recurrence_basis,
  };
}

function defaultCustom(due: string): Rule {
  return { freq: "WEEKLY", interval: 1, byDay: due ? [weekdayOf(due)] : [], monthDay: null, count: null, until: null };
}

/** The RRULE to send for the state and due date ("" without a due date: a repeat needs one). */
export function repeatRule(state: RepeatState, dueDate: string): string {
  if (!dueDate) return "";
  if (state.choice !== "custom") return presetRule(state.choice, dueDate);
  return state.raw ?? formatRule(state.custom);
}

export function RepeatField(props: {
  dueDate: string;
  value: RepeatState;
  onChange: (value: RepeatState) => void;
  /** The rule saved on the task and the server's words for it, shown while that rule is the one chosen. */
  saved?: { rule: string; text: string | null };
  /** A refused save: its messages about the repeat are shown here. */
  error?: unknown;
}) {
  const { t, i18n } = useTranslation();
  const { dueDate, value } = props;
  const language = i18n.language;
  const presetLabel = (name: PresetName) => presetText(name, dueDate, t, language);
  const rule = repeatRule(value, dueDate);
  const savedText = props.saved && props.saved.rule === rule && rule ? props.saved.text : null;

  function choose(choice: PresetName | "custom") {
    if (choice === "custom" && value.choice !== "custom") {
      // Custom starts from what was chosen, so "every week on Friday" becomes editable rather than lost.
      const from = value.choice !== "none" && dueDate ? parseRule(presetRule(value.choice, dueDate)) : null;
      props.onChange({ ...value, choice, custom: from ?? defaultCustom(dueDate), raw: null });
    } else {
      props.onChange({ ...value, choice, raw: choice === "custom" ? value.raw : null });
    }
  }
  const setCustom = (changes: Partial<Rule>) => props.onChange({ ...value, raw: null, custom: { ...value.custom, ...changes } });

  return (
    <fieldset className="repeat">
      <legend>{t("Repeat")}</legend>
      <div className="row">
        <div className="field">
          <label htmlFor="recurrence">{t("Repeats")}</label>
          <select
            id="recurrence"
            value={dueDate ? value.choice : "none"}
            disabled={!dueDate}
            aria-describedby="recurrence-note"
            onChange={(e) => choose(e.target.value as PresetName | "custom")}
          >
            {PRESET_NAMES.map((name) => (
              <option key={name} value={name}>
                {presetLabel(name)}
              </option>
            ))}
            <option value="custom">{t("Custom…")}</option>
          </select>
        </div>
        {dueDate && value.choice !== "none" && (
          <div className="field">
            <label htmlFor="recurrence_basis">{t("The next date counts")}</label>
            <select
              id="recurrence_basis"
              value={value.basis}
              onChange={(e) => props.onChange({ ...value, basis: e.target.value as RecurrenceBasis })}
            >
              <option value="due">{t("from the due date")}</option>
              <option value="completion">{t("from when I complete it")}</option>
            </select>
          </div>
        )}
      </div>
      <p id="recurrence-note" className="muted">
        {!dueDate ? t("A task needs a due date to repeat.") : (savedText ?? "")}
      </p>
      {fieldMessages(props.error, "recurrence", "recurrence_basis") && (
        <span className="field-error" role="alert">
          {fieldMessages(props.error, "recurrence", "recurrence_basis")}
        </span>
      )}
      {dueDate && value.choice === "custom" && (
        <CustomRule
          rule={value.custom}
          raw={value.raw}
          dueDate={dueDate}
          onChange={setCustom}
          weekdayName={(d) => weekdayName(d, language)}
        />
      )}
    </fieldset>
  );
}

function CustomRule(props: {
  rule: Rule;
  raw: string | null;
  dueDate: string;
  onChange: (changes: Partial<Rule>) => void;
  weekdayName: (day: Weekday) => string;
}) {
  const { t } = useTranslation();
  const { rule } = props;
  const units: Record<Frequency, string> = { DAILY: t("days"), WEEKLY: t("weeks"), MONTHLY: t("months"), YEARLY: t("years") };
  const end = rule.count !== null ? "count" : rule.until !== null ? "until" : "never";
  // Numbers may be emptied while typing (0 here); the rule counts 0 as 1.
  const whole = (text: string) => Math.min(999, Math.max(0, Math.floor(Number(text)) || 0));
  return (
    <div className="custom-repeat" role="group" aria-label={t("Custom repeat")}>
      {props.raw && <p className="muted">{t("This rule was set elsewhere; changing a part below replaces it.")}</p>}
      <div className="row">
        <div className="field">
          <label htmlFor="repeat-interval">{t("Every")}</label>
          <input
            id="repeat-interval"
            type="number"
            min={1}
            max={999}
            value={rule.interval || ""}
            onChange={(e) => props.onChange({ interval: whole(e.target.value) })}
          />
        </div>
        <div className="field">
          <label htmlFor="repeat-freq">{t("Unit")}</label>
          <select
            id="repeat-freq"
            value={rule.freq}
            onChange={(e) => props.onChange({ freq: e.target.value as Frequency, byDay: [], monthDay: null })}
          >
            {FREQUENCIES.map((f) => (
              <option key={f} value={f}>
                {units[f]}
              </option>
            ))}
          </select>
        </div>
        {rule.freq === "MONTHLY" && (
          <div className="field">
            <label htmlFor="repeat-monthday">{t("On day")}</label>
            <select
              id="repeat-monthday"
              value={rule.monthDay ?? ""}
              onChange={(e) => props.onChange({ monthDay: e.target.value ? Number(e.target.value) : null })}
            >
              <option value="">{t("the due date's day")}</option>
              {Array.from({ length: 31 }, (_, i) => (
                <option key={i + 1} value={i + 1}>
                  {i + 1}
                </option>
              ))}
              <option value={-1}>{t("the last day")}</option>
            </select>
          </div>
        )}
      </div>
      {rule.freq === "WEEKLY" && (
        <fieldset>
          <legend>{t("On")}</legend>
          {WEEKDAYS.map((day) => (
            <label key={day} className="check">
              <input
                type="checkbox"
                checked={rule.byDay.includes(day)}
                onChange={(e) => props.onChange({ byDay: e.target.checked ? [...rule.byDay, day] : rule.byDay.filter((d) => d !== day) })}
              />
              {props.weekdayName(day)}
            </label>
          ))}
        </fieldset>
      )}
      <fieldset>
        <legend>{t("Ends")}</legend>
        <label className="check">
          <input type="radio" name="repeat-end" checked={end === "never"} onChange={() => props.onChange({ count: null, until: null })} />
          {t("Never")}
        </label>
        <label className="check">
          <input
            type="radio"
            name="repeat-end"
            checked={end === "count"}
            onChange={() => props.onChange({ count: rule.count ?? 10, until: null })}
          />
          {t("After a number of times")}
        </label>
        {end === "count" && (
          <input
            type="number"
            min={1}
            max={999}
            aria-label={t("Times")}
            value={rule.count || ""}
            onChange={(e) => props.onChange({ count: whole(e.target.value) })}
          />
        )}
        <label className="check">
          <input
            type="radio"
            name="repeat-end"
            checked={end === "until"}
            onChange={() => props.onChange({ count: null, until: rule.until ?? props.dueDate })}
          />
          {t("On a date")}
        </label>
        {end === "until" && (
          <input
            type="date"
            aria-label={t("Last date")}
            value={rule.until ?? ""}
            onChange={(e) => props.onChange({ until: e.target.value })}
          />
        )}
      </fieldset>
    </div>
  );
}
