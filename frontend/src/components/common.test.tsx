import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { setLanguage } from "../i18n";
import { ErrorNote, messageOf, TASK_GONE } from "./common";

afterEach(() => {
  cleanup();
  setLanguage("en");
});

const throttled = (message: string) => new ApiError(429, "throttled", message);

describe("a rate limit's message", () => {
  it("says the wait in seconds up to 90, in whole minutes above", () => {
    expect(messageOf(throttled("Too many attempts. Try again in 1 seconds. Expected available in 1 second."))).toBe(
      "Too many attempts. Try again in 1 second.",
    );
    expect(messageOf(throttled("Too many attempts. Try again in 90 seconds. Expected available in 90 seconds."))).toBe(
      "Too many attempts. Try again in 90 seconds.",
    );
    expect(messageOf(throttled("Too many attempts. Try again in 91 seconds. Expected available in 91 seconds."))).toBe(
      "Too many attempts. Try again in 2 minutes.",
    );
    expect(messageOf(throttled("Request was throttled. Expected available in 3600 seconds."))).toBe(
      "Too many attempts. Try again in 60 minutes.",
    );
  });

  it("prefers the Retry-After the client kept, and does without a wait", () => {
    const error = Object.assign(throttled("Too many attempts."), { retryAfter: 300 });
    expect(messageOf(error)).toBe("Too many attempts. Try again in 5 minutes.");
    expect(messageOf(throttled("Too many attempts."))).toBe("Too many attempts. Try again later.");
  });

  it("speaks German", () => {
    setLanguage("de");
    expect(messageOf(throttled("Too many attempts. Try again in 240 seconds."))).toBe(
      "Zu viele Versuche. Versuchen Sie es in 4 Minuten erneut.",
    );
    expect(messageOf(throttled("Too many attempts. Try again in 1 seconds."))).toBe(
      "Zu viele Versuche. Versuchen Sie es in 1 Sekunde erneut.",
    );
  });
});

describe("the client's own errors", () => {
  it("are worded in the app's language", () => {
    const offline = new ApiError(0, "offline", "You appear to be offline. Check your connection and try again.");
    const bare = new ApiError(502, "http_error", "The server answered 502.");
    expect(messageOf(offline)).toBe("You appear to be offline. Check your connection and try again.");
    expect(messageOf(bare)).toBe("The server answered 502.");
    setLanguage("de");
    expect(messageOf(offline)).toBe("Sie scheinen offline zu sein. Prüfen Sie die Verbindung und versuchen Sie es erneut.");
    expect(messageOf(bare)).toBe("Der Server antwortete mit 502.");
    expect(messageOf(new Error("boom"))).toBe("Etwas ist schiefgegangen. Bitte versuchen Sie es erneut.");
  });
});

describe("ErrorNote", () => {
  it("words a 404 as the view says it, in the current language", () => {
    const gone = new ApiError(404, "not_found", "Not found.");
    const { rerender } = render(<ErrorNote error={gone} notFound={TASK_GONE} />);
    expect(screen.getByRole("alert")).toHaveTextContent("This task no longer exists, or you no longer have access to it.");
    setLanguage("de");
    rerender(<ErrorNote error={gone} notFound={TASK_GONE} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Diese Aufgabe gibt es nicht mehr, oder Sie haben keinen Zugriff mehr darauf.");
  });
});
