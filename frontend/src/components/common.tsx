import { useCallback, useEffect, useState, type ReactNode } from "react";
import { ApiError } from "../api/client";

/** The message to show for an error of any kind. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "Something went wrong. Please try again.";
}

/** What a list or board of a project says when the project answers 404. */
export const GONE_PROJECT =
  "This project is no longer available to you: it was deleted or is no longer shared with you. Choose another list.";

/** The error's message; `notFound` words a 404 for what the view shows (gone, or no longer shared with you). */
export function ErrorNote({ error, notFound }: { error: unknown; notFound?: string }) {
  if (!error) return null;
  const gone = notFound && error instanceof ApiError && error.status === 404;
  return (
    <p role="alert" className="error">
      {gone ? notFound : messageOf(error)}
    </p>
  );
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

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function OfflineBanner() {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  }, []);
  if (online) return null;
  return (
    <div role="status" className="offline">
      You are offline. Changes will fail until the connection is back.
    </div>
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

export const TASK_GONE = "This task no longer exists, or you no longer have access to it.";
export const PROJECT_GONE = "This project no longer exists, or is no longer shared with you.";

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
