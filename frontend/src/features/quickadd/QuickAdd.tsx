// Quick add: one line, Enter, and the task is in. "Pay rent tomorrow #home !1" shows what it understood (due
// tomorrow, label home, high priority) before it is added; the dialog stays open for the next task.
import * as Dialog from "@radix-ui/react-dialog";
import { useEffect, useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { Label, Priority, TaskInput } from "../../api/types";
import { daysBetween, formatTime, relativeDay } from "../../lib/dates";
import { localeOf } from "../../lib/locale";
import type { TimedTaskInput } from "../time/model";
import { ruleLabel } from "../time/repeatLabels";
import {
  loadChrono,
  loadRepeatParser,
  parseQuickAdd,
  todayIn,
  type ChronoParser,
  type QuickAdd as Parsed,
  type QuickAddLanguage,
  type RepeatParser,
} from "./parse";

const MAX_TITLE = 200;

export function QuickAdd(props: {
  open: boolean;
  onOpenChange(open: boolean): void;
  labels: Label[];
  /** The person's IANA time zone: "tomorrow" is tomorrow there. */
  timeZone: string;
  /** The project the task goes to (the list on screen), shown in the preview; left out: not shown. */
  projectName?: string;
  onCreate(input: TaskInput): Promise<void>;
}) {
  const { t } = useTranslation();
  return (
    <Dialog.Root open={props.open} onOpenChange={props.onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog-content quick-add" aria-modal="true">
          <Dialog.Title className="quick-add-title">{t("Quick add")}</Dialog.Title>
          <Dialog.Description className="quick-add-hint">
            {t(
              "Write the task; #label adds a label, !high or !1 sets the priority, words like “tomorrow 9am” or “next friday” set the due date, and “every week on Monday” (in English) repeats it.",
            )}
          </Dialog.Description>
          <QuickAddForm labels={props.labels} timeZone={props.timeZone} projectName={props.projectName} onCreate={props.onCreate} />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function languageOf(language: string): QuickAddLanguage {
  return language.toLowerCase().startsWith("de") ? "de" : "en";
}

/** The dates parser for the app's language, fetched when quick add first opens. */
function useChrono(language: QuickAddLanguage): ChronoParser | null {
  const [loaded, setLoaded] = useState<{ language: QuickAddLanguage; chrono: ChronoParser } | null>(null);
  useEffect(() => {
    let current = true;
    loadChrono(language).then(
      (chrono) => current && setLoaded({ language, chrono }),
      () => undefined, // offline: dates stay in the title, the rest still works
    );
    return () => {
      current = false;
    };
  }, [language]);
  return loaded?.language === language ? loaded.chrono : null;
}

/** rrule.js, for "every …" phrases (English in either language), fetched when quick add first opens. */
function useRepeatParser(): RepeatParser | null {
  const [parser, setParser] = useState<RepeatParser | null>(null);
  useEffect(() => {
    let current = true;
    loadRepeatParser().then(
      (loaded) => current && setParser(loaded),
      () => undefined, // offline: a repeat stays in the title
    );
    return () => {
      current = false;
    };
  }, []);
  return parser;
}

function QuickAddForm(props: { labels: Label[]; timeZone: string; projectName?: string; onCreate(input: TaskInput): Promise<void> }) {
  const { t, i18n } = useTranslation();
  const language = languageOf(i18n.language);
  const chrono = useChrono(language);
  const repeat = useRepeatParser();
  const [text, setText] = useState("");
  const [now, setNow] = useState(() => new Date());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const previewId = useId();

  const context = { labels: props.labels, timeZone: props.timeZone, language };
  const parsed = parseQuickAdd(text, { ...context, now, chrono, repeat });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    // Enter pressed before the dates parser arrived: wait for it rather than leave "tomorrow" in the title.
    const [parser, repeats] = await Promise.all([
      chrono ?? loadChrono(language).catch(() => null),
      repeat ?? loadRepeatParser().catch(() => null),
    ]);
    const task = parseQuickAdd(text, { ...context, now: new Date(), chrono: parser, repeat: repeats });
    if (!task.title) {
      setError(t("Write what the task is."));
      return;
    }
    if (task.title.length > MAX_TITLE) {
      setError(t("Titles are at most 200 characters."));
      return;
    }
    const input: TimedTaskInput = { title: task.title };
    if (task.labelIds.length > 0) input.labels = task.labelIds;
    if (task.priority) input.priority = task.priority;
    if (task.dueDate) input.due_date = task.dueDate;
    if (task.dueDate && task.dueTime) input.due_time = task.dueTime;
    if (task.dueDate && task.recurrence) input.recurrence = task.recurrence;
    setBusy(true);
    setError("");
    setStatus("");
    try {
      await props.onCreate(input);
      setText("");
      setStatus(t("Added “{{title}}”", { title: task.title }));
    } catch (failure) {
      setError(failure instanceof Error && failure.message ? failure.message : t("The task could not be added."));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="quick-add-form" onSubmit={submit}>
      <label className="quick-add-field">
        <span>{t("Task")}</span>
        <input
          type="text"
          value={text}
          autoComplete="off"
          aria-describedby={understood(parsed) ? previewId : undefined}
          aria-invalid={error ? true : undefined}
          onChange={(event) => {
            setText(event.target.value);
            setNow(new Date());
            setError("");
          }}
        />
      </label>
      <Understood
        id={previewId}
        parsed={parsed}
        labels={props.labels}
        today={todayIn(props.timeZone, now)}
        projectName={props.projectName}
        describe={repeat?.describe}
      />
      {error && (
        <p role="alert" className="quick-add-error">
          {error}
        </p>
      )}
      <p role="status" aria-live="polite" className="quick-add-status">
        {status}
      </p>
      <button type="submit" className="primary" disabled={busy}>
        {t("Add task")}
      </button>
    </form>
  );
}

function understood(parsed: Parsed): boolean {
  return Boolean(parsed.dueDate || parsed.priority || parsed.labelIds.length > 0 || parsed.unknownLabels.length > 0);
}

/**
 * What the line says, before it is added: the title, then as chips the due date, time and repeat, the project, the
 * priority, the labels, and #words that are not labels.
 */
function Understood(props: {
  id: string;
  parsed: Parsed;
  labels: Label[];
  today: string;
  projectName?: string;
  describe?: (rule: string) => string;
}) {
  const { t, i18n } = useTranslation();
  const { parsed } = props;
  const priorityNames: Record<Priority, string> = {
    none: t("No priority"),
    low: t("Low"),
    medium: t("Medium"),
    high: t("High"),
    urgent: t("Urgent"),
  };
  const labels = props.labels.filter((label) => parsed.labelIds.includes(label.id));
  if (!understood(parsed)) return null;
  // In the app's language when it is one of the editor's repeats; else rrule.js's English words.
  const repeatWords = (rule: string, dueDate: string): string =>
    ruleLabel(rule, dueDate, t, i18n.language) ?? props.describe?.(rule) ?? parsed.repeatText ?? rule;
  const repeat = parsed.recurrence && parsed.dueDate ? repeatWords(parsed.recurrence, parsed.dueDate) : null;
  return (
    <div id={props.id} className="quick-add-preview">
      {parsed.title && <p className="quick-add-preview-title">{t("Task: {{title}}", { title: parsed.title })}</p>}
      <ul className="quick-add-understood" aria-label={t("Understood")}>
        {parsed.dueDate && (
          <li className="chip chip-date">
            {t("Due")} <time dateTime={parsed.dueDate}>{humanDate(parsed.dueDate, props.today, i18n.language)}</time>
          </li>
        )}
        {parsed.dueDate && parsed.dueTime && (
          <li className="chip chip-time">{t("At {{time}}", { time: formatTime(parsed.dueTime, i18n.language) })}</li>
        )}
        {repeat && (
          <li className="chip chip-repeat">
            <span aria-hidden="true">↻ </span>
            {repeat}
          </li>
        )}
        {props.projectName && <li className="chip chip-project">{props.projectName}</li>}
        {parsed.priority && (
          <li className={`chip chip-priority priority-${parsed.priority}`}>
            {t("Priority: {{priority}}", { priority: priorityNames[parsed.priority] })}
          </li>
        )}
        {labels.map((label) => (
          <li key={label.id} className="chip chip-label">
            #{label.name}
          </li>
        ))}
        {parsed.unknownLabels.map((name) => (
          <li key={name} className="chip chip-unknown">
            {t("not a label: {{name}}", { name })}
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The due date as the app says it, with the day of the month when that says only "Tomorrow" or "Friday", so that
 * "next friday" can be checked at a glance: "Tomorrow, 3 Dec", "Friday, 11 Dec", "Sat 12 Dec".
 */
function humanDate(isoDate: string, today: string, language: string): string {
  const said = relativeDay(isoDate, today, language);
  if (daysBetween(today, isoDate) > 6) return said;
  const [year, month, day] = isoDate.split("-").map(Number);
  const date = new Intl.DateTimeFormat(localeOf(language), { day: "numeric", month: "short", timeZone: "UTC" });
  return `${said}, ${date.format(new Date(Date.UTC(year, month - 1, day)))}`;
}
