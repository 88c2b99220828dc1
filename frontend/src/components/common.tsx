import { useCallback, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client";
import { t, translatable } from "../i18n";

/** Seconds to wait after a 429: the Retry-After the client kept, else the first count of seconds in the message. */
export function waitOf(error: ApiError): number | null {
  const retryAfter = (error as ApiError & { retryAfter?: number | null }).retryAfter;
  if (typeof retryAfter === "number" && retryAfter > 0) return retryAfter;
  const match = /(\d+)\s*seconds?\b/i.exec(error.message);
  return match ? Number(match[1]) : null;
}

/**
 * A 429 in people's words, saying the wait once: the API's message names it in seconds (twice, as DRF appends its own
 * "Expected available in …"), which reads badly for minutes. Above 90 seconds the wait is rounded up to minutes.
 */
export function tooManyAttempts(seconds: number | null): string {
  if (seconds === null) return t("Too many attempts. Try again later.");
  if (seconds > 90) return t("Too many attempts. Try again in {{count}} minutes.", { count: Math.ceil(seconds / 60) });
  return t("Too many attempts. Try again in {{count}} seconds.", { count: seconds });
}

/** The message to show for an error of any kind. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError && error.status === 429) return tooManyAttempts(waitOf(error));
  // The client's own errors (no answer, or one without the API's error body) are worded here, in the app's language.
  if (error instanceof ApiError && error.code === "offline") return t("You appear to be offline. Check your connection and try again.");
  if (error instanceof ApiError && error.code === "http_error") return t("The server answered {{status}}.", { status: error.status });
  if (error instanceof ApiError) return error.message;
  return t("Something went wrong. Please try again.");
}

/** What a list or board of a project says when the project answers 404 (a key: ErrorNote translates `notFound`). */
export const GONE_PROJECT = translatable(
  "This project is no longer available to you: it was deleted or is no longer shared with you. Choose another list.",
);

/** The error's message; `notFound` (an English key) words a 404 for what the view shows (gone, or no longer shared with you). */
export function ErrorNote({ error, notFound }: { error: unknown; notFound?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  const gone = notFound && error instanceof ApiError && error.status === 404;
  return (
    <p role="alert" className="error">
      {gone ? t(notFound) : messageOf(error)}
    </p>
  );
}

/** The error for a form's note above its buttons: null when every field the API named is shown by one of
 * the form's own `fields` (its Field elements say it there), else the error itself. */
export function unclaimedError(error: unknown, fields: readonly string[]): unknown {
  if (!(error instanceof ApiError)) return error;
  const named = Object.keys(error.fields);
  return named.length > 0 && named.every((field) => fields.includes(field)) ? null : error;
}

/** A labelled input whose API error (if any) is shown right under it. */
export function Field(props: { label: string; name: string; id?: string; error?: unknown; children: ReactNode }) {
  const message = props.error instanceof ApiError ? props.error.fieldMessage(props.name) : undefined;
  return (
    <div className="field">
      <label htmlFor={props.id ?? props.name}>{props.label}</label>
      {props.children}
      {message && (
        <span className="field-error" id={`${props.name}-error`} role="alert">
          {message}
        </span>
      )}
    </div>
  );
}

/** "Loading the trash…": `what` is already translated. */
export function Loading({ what }: { what: string }) {
  const { t } = useTranslation();
  return (
    <p className="muted" role="status">
      {t("Loading {{what}}…", { what })}
    </p>
  );
}

/** Today as YYYY-MM-DD in the given IANA time zone. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

export type DueState = "overdue" | "today" | "later" | "none";

export function dueState(due: string | null, done: boolean, today: string): DueState {
  if (!due) return "none";
  if (done) return "later";
  if (due < today) return "overdue";
  if (due === today) return "today";
  return "later";
}

/** Run a change against the API; on success tell the app, on failure keep the error to show. */
export function useAction(onChanged: () => void): [unknown, (action: () => Promise<unknown>) => Promise<void>, (e: unknown) => void] {
  const [error, setError] = useState<unknown>(null);
  const act = useCallback(
    async (action: () => Promise<unknown>) => {
      try {
        await action();
        setError(null);
        onChanged();
      } catch (caught) {
        setError(caught);
      }
    },
    [onChanged],
  );
  return [error, act, setError];
}

/** A 404: the thing is gone, or is no longer shared with the caller (the API does not say which). */
export function isGone(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/** Keys for ErrorNote's `notFound`; shown elsewhere, they go through t(). */
export const TASK_GONE = translatable("This task no longer exists, or you no longer have access to it.");
export const PROJECT_GONE = translatable("This project no longer exists, or is no longer shared with you.");

/**
 * A function that runs a change against the API, then `after` (reload what it changed); on failure it keeps the
 * error with `setError`, and on a 404 also calls `onGone`. It resolves to whether the change worked.
 */
export function changer(setError: (error: unknown) => void, after: () => unknown, onGone?: () => void) {
  return async (action: () => Promise<unknown>): Promise<boolean> => {
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
      if (isGone(caught)) onGone?.();
      return false;
    }
    await after();
    return true;
  };
}
