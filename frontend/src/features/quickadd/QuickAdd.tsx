// Quick add: one line, Enter, and the task is in. "Pay rent tomorrow #home !1" shows what it understood (due
// tomorrow, label home, high priority) before it is added; the dialog stays open for the next task.
import * as Dialog from "@radix-ui/react-dialog";
import { useEffect, useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { Label, Priority, TaskInput } from "../../api/types";
import { daysBetween, relativeDay } from "../../lib/dates";
import { localeOf } from "../../lib/locale";
import { loadChrono, parseQuickAdd, todayIn, type ChronoParser, type QuickAdd as Parsed, type QuickAddLanguage } from "./parse";

const MAX_TITLE = 200;

export function QuickAdd(props: {
  open: boolean;
  onOpenChange(open: boolean): void;
  labels: Label[];
  /** The person's IANA time zone: "tomorrow" is tomorrow there. */
  timeZone: string;
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
              "Write the task; #label adds a label, !high or !1 sets the priority, and words like “tomorrow” or “next friday” set the due date.",
            )}
          </Dialog.Description>
          <QuickAddForm labels={props.labels} timeZone={props.timeZone} onCreate={props.onCreate} />
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

function QuickAddForm(props: { labels: Label[]; timeZone: string; onCreate(input: TaskInput): Promise<void> }) {
  const { t, i18n } = useTranslation();
  const language = languageOf(i18n.language);
  const chrono = useChrono(language);
  const [text, setText] = useState("");
  const [now, setNow] = useState(() => new Date());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const previewId = useId();

  const context = { labels: props.labels, timeZone: props.timeZone, language };
  const parsed = parseQuickAdd(text, { ...context, now, chrono });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    // Enter pressed before the dates parser arrived: wait for it rather than leave "tomorrow" in the title.
    const parser = chrono ?? (await loadChrono(language).catch(() => null));
    const task = parseQuickAdd(text, { ...context, now: new Date(), chrono: parser });
    if (!task.title) {
      setError(t("Write what the task is."));
      return;
    }
    if (task.title.length > MAX_TITLE) {
      setError(t("Titles are at most 200 characters."));
      return;
    }
    const input: TaskInput = { title: task.title };
    if (task.labelIds.length > 0) input.labels = task.labelIds;
    if (task.priority) input.priority = task.priority;
    if (task.dueDate) input.due_date = task.dueDate;
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
      <Understood id={previewId} parsed={parsed} labels={props.labels} today={todayIn(props.timeZone, now)} />
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

/** What the line says besides the title, as chips: the due date, the priority, the labels, and #words that are not labels. */
function Understood(props: { id: string; parsed: Parsed; labels: Label[]; today: string }) {
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
  return (
    <ul id={props.id} className="quick-add-understood" aria-label={t("Understood")}>
      {parsed.dueDate && (
        <li className="chip chip-date">
          {t("Due")} <time dateTime={parsed.dueDate}>{humanDate(parsed.dueDate, props.today, i18n.language)}</time>
        </li>
      )}
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
