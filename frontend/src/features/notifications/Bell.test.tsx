import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { useLocation } from "react-router";
import { renderInApp } from "../../test-app";
import { respond, stubRoutes } from "../../test-support";
import type { AppNotification } from "./api";
import { NotificationBell, relativeTime } from "./Bell";

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const note = (fields: Partial<AppNotification>): AppNotification => ({
  id: 1,
  kind: "reminder",
  task: 42,
  project: null,
  actor: null,
  text: "Reminder: Pay rent is due at 09:00",
  created_at: new Date(Date.now() - 5 * 60_000).toISOString(),
  read_at: null,
  ...fields,
});

function WhereAmI() {
  const location = useLocation();
  return <output aria-label="address">{location.pathname}</output>;
}

function renderBell() {
  return renderInApp(
    <>
      <NotificationBell />
      <WhereAmI />
    </>,
    { route: "/inbox" },
  );
}

describe("the notification bell", () => {
  it("says how many are unread, lists the latest with their age, and opens one's task, marking it read", async () => {
    let unread = 2;
    const api = stubRoutes({
      "GET /api/tasks/notifications/summary/": () => respond(200, { unread }),
      "GET /api/tasks/notifications/": respond(200, {
        results: [note({ id: 5 }), note({ id: 4, kind: "commented", text: "bob commented on Tiles", read_at: "2026-11-01T00:00:00Z" })],
        next: null,
      }),
      "POST /api/tasks/notifications/read/": () => {
        unread = 1;
        return respond(200, { updated: 1 });
      },
    });
    renderBell();
    const bell = await screen.findByRole("button", { name: "Notifications, 2 unread" });
    expect(bell).toHaveAttribute("aria-expanded", "false");
    await userEvent.click(bell);
    const panel = await screen.findByRole("region", { name: "Notifications" });
    const first = await within(panel).findByRole("link", { name: /Pay rent/ });
    expect(first).toHaveTextContent("Unread: Reminder: Pay rent is due at 09:00");
    expect(first).toHaveTextContent("5 minutes ago");
    expect(within(panel).getByRole("link", { name: /bob commented/ })).not.toHaveTextContent("Unread");
    await userEvent.click(first);
    expect(screen.getByRole("status", { name: "address" })).toHaveTextContent("/tasks/42");
    expect(api.calls("POST", "/api/tasks/notifications/read/")[0].body).toEqual({ ids: [5] });
    expect(screen.queryByRole("region", { name: "Notifications" })).not.toBeInTheDocument();
    expect(await screen.findByRole("button", { name: "Notifications, 1 unread" })).toBeInTheDocument();
  });

  it("marks all read", async () => {
    let unread = 3;
    const api = stubRoutes({
      "GET /api/tasks/notifications/summary/": () => respond(200, { unread }),
      "GET /api/tasks/notifications/": () =>
        respond(200, { results: [note({ read_at: unread ? null : "2026-11-27T10:00:00Z" })], next: null }),
      "POST /api/tasks/notifications/read/": () => {
        unread = 0;
        return respond(200, { updated: 3 });
      },
    });
    renderBell();
    await userEvent.click(await screen.findByRole("button", { name: "Notifications, 3 unread" }));
    await userEvent.click(await screen.findByRole("button", { name: "Mark all read" }));
    expect(api.calls("POST", "/api/tasks/notifications/read/")[0].body).toEqual({ all: true });
    expect(await screen.findByRole("button", { name: "Notifications" })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("link", { name: /Pay rent/ })).not.toHaveTextContent("Unread"));
  });

  it("says so when there are none, and closes with Esc, giving the focus back to the bell", async () => {
    stubRoutes({
      "GET /api/tasks/notifications/summary/": respond(200, { unread: 0 }),
      "GET /api/tasks/notifications/": respond(200, { results: [], next: null }),
    });
    renderBell();
    const bell = await screen.findByRole("button", { name: "Notifications" });
    await userEvent.click(bell);
    expect(await screen.findByText("No notifications yet.")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Notification settings" })).toHaveAttribute("href", "/settings/notifications");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByText("No notifications yet.")).not.toBeInTheDocument();
    expect(bell).toHaveFocus();
  });

  it("shows older notifications a page at a time", async () => {
    stubRoutes({
      "GET /api/tasks/notifications/summary/": respond(200, { unread: 0 }),
      "GET /api/tasks/notifications/": (_, url) =>
        url.includes("cursor=")
          ? respond(200, { results: [note({ id: 1, text: "An old one", read_at: "2026-11-01T00:00:00Z" })], next: null })
          : respond(200, {
              results: [note({ id: 2, text: "A new one", read_at: "2026-11-02T00:00:00Z" })],
              next: "http://localhost:3000/api/tasks/notifications/?cursor=older",
            }),
    });
    renderBell();
    await userEvent.click(await screen.findByRole("button", { name: "Notifications" }));
    expect(await screen.findByRole("link", { name: /A new one/ })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: /An old one/ })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Show older" }));
    expect(await screen.findByRole("link", { name: /An old one/ })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Show older" })).not.toBeInTheDocument();
  });

  it("asks for the count again every minute", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let unread = 0;
    const api = stubRoutes({ "GET /api/tasks/notifications/summary/": () => respond(200, { unread }) });
    renderBell();
    expect(await screen.findByRole("button", { name: "Notifications" })).toBeInTheDocument();
    unread = 4;
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(await screen.findByRole("button", { name: "Notifications, 4 unread" })).toBeInTheDocument();
    expect(api.calls("GET", "/api/tasks/notifications/summary/").length).toBeGreaterThanOrEqual(2);
  });
});

describe("a notification's age", () => {
  const now = new Date("2026-11-27T12:00:00Z");
  it("reads as people say it, in the app's language", () => {
    expect(relativeTime("2026-11-27T11:59:50Z", "en", now)).toBe("now");
    expect(relativeTime("2026-11-27T11:30:00Z", "en", now)).toBe("30 minutes ago");
    expect(relativeTime("2026-11-27T09:00:00Z", "en", now)).toBe("3 hours ago");
    expect(relativeTime("2026-11-26T12:00:00Z", "en", now)).toBe("yesterday");
    expect(relativeTime("2026-11-13T12:00:00Z", "en", now)).toBe("2 weeks ago");
    expect(relativeTime("2026-11-26T12:00:00Z", "de", now)).toBe("gestern");
  });
});
