import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderInApp } from "../../test-app";
import { apiError, respond, stubRoutes } from "../../test-support";
import { keyBytes } from "./push";
import { NotificationSettingsPage } from "./SettingsPage";

afterEach(() => vi.unstubAllGlobals());

const SETTINGS = { email_reminders: true, push_reminders: false, email_activity: true, push_activity: false };
const KEY = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U";

/** A browser that can do push: a service worker registration whose push manager keeps one subscription. */
function pushBrowser(permission: NotificationPermission = "granted", subscribed = false) {
  const unsubscribe = vi.fn(async () => {
    current = null;
    return true;
  });
  const subscription = {
    endpoint: "https://push.example.com/send/abc",
    toJSON: () => ({ endpoint: "https://push.example.com/send/abc", keys: { p256dh: "p-key", auth: "a-key" } }),
    unsubscribe,
  };
  let current: typeof subscription | null = subscribed ? subscription : null;
  const subscribe = vi.fn(async () => {
    current = subscription;
    return subscription;
  });
  const registration = { pushManager: { getSubscription: async () => current, subscribe } };
  vi.stubGlobal("PushManager", function PushManager() {});
  const requestPermission = vi.fn(async () => permission);
  vi.stubGlobal("Notification", { permission: subscribed ? "granted" : "default", requestPermission });
  Object.defineProperty(navigator, "serviceWorker", {
    configurable: true,
    value: { getRegistration: async () => registration, ready: Promise.resolve(registration) },
  });
  return { subscribe, unsubscribe, requestPermission };
}

function routes(extra: Record<string, Response | ((body: unknown) => Response)> = {}) {
  return stubRoutes({
    "GET /api/tasks/notifications/settings/": respond(200, SETTINGS),
    "GET /api/tasks/push/": respond(200, { enabled: true, public_key: KEY }),
    "GET /api/tasks/calendar-feed/": respond(200, { active: false, created_at: null, last_used_at: null }),
    ...extra,
  });
}

afterEach(() => {
  // jsdom has no service workers: take the stand-in away again
  delete (navigator as { serviceWorker?: unknown }).serviceWorker;
});

describe("what to send", () => {
  it("shows the four settings and saves a change at once", async () => {
    const api = routes({ "PATCH /api/tasks/notifications/settings/": (body) => respond(200, { ...SETTINGS, ...(body as object) }) });
    renderInApp(<NotificationSettingsPage />);
    const push = await screen.findByRole("checkbox", { name: "Reminders as push notifications" });
    expect(screen.getByRole("checkbox", { name: "Reminders by e-mail" })).toBeChecked();
    expect(push).not.toBeChecked();
    expect(screen.getByRole("checkbox", { name: /^Activity by e-mail/ })).toBeChecked();
    expect(screen.getByRole("checkbox", { name: /^Activity as push/ })).not.toBeChecked();
    await userEvent.click(push);
    expect(push).toBeChecked();
    expect(api.calls("PATCH", "/api/tasks/notifications/settings/")[0].body).toEqual({ push_reminders: true });
    expect(await screen.findByText("Saved.")).toBeInTheDocument();
  });

  it("puts a setting back and says why when the server refuses it", async () => {
    routes({ "PATCH /api/tasks/notifications/settings/": apiError(400, "invalid", "Not now.") });
    renderInApp(<NotificationSettingsPage />);
    const email = await screen.findByRole("checkbox", { name: "Reminders by e-mail" });
    await userEvent.click(email);
    expect(await screen.findByText("Not now.")).toBeInTheDocument();
    expect(email).toBeChecked();
  });
});

describe("push on this device", () => {
  it("asks for permission, subscribes with the server's key and registers the subscription", async () => {
    const browser = pushBrowser();
    const api = routes({ "POST /api/tasks/push/subscriptions/": respond(201, { endpoint: "https://push.example.com/send/abc" }) });
    renderInApp(<NotificationSettingsPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Enable push on this device" }));
    expect(await screen.findByText("Push notifications are on for this device.")).toBeInTheDocument();
    expect(browser.requestPermission).toHaveBeenCalled();
    const options = browser.subscribe.mock.calls[0] as unknown as [PushSubscriptionOptionsInit];
    expect(options[0].userVisibleOnly).toBe(true);
    expect(options[0].applicationServerKey).toEqual(keyBytes(KEY));
    expect(api.calls("POST", "/api/tasks/push/subscriptions/")[0].body).toEqual({
      endpoint: "https://push.example.com/send/abc",
      keys: { p256dh: "p-key", auth: "a-key" },
    });
  });

  it("says what to do when the browser does not allow notifications, and subscribes nothing", async () => {
    const browser = pushBrowser("denied");
    const api = routes();
    renderInApp(<NotificationSettingsPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Enable push on this device" }));
    expect(await screen.findByText(/did not allow notifications/)).toBeInTheDocument();
    expect(browser.subscribe).not.toHaveBeenCalled();
    expect(api.calls("POST", "/api/tasks/push/subscriptions/")).toHaveLength(0);
  });

  it("takes the browser's subscription back when the server refuses it", async () => {
    const browser = pushBrowser();
    routes({ "POST /api/tasks/push/subscriptions/": apiError(400, "invalid", "This push service is not allowed.") });
    renderInApp(<NotificationSettingsPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Enable push on this device" }));
    expect(await screen.findByText("This push service is not allowed.")).toBeInTheDocument();
    expect(browser.unsubscribe).toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Enable push on this device" })).toBeEnabled();
  });

  it("turns push off even when TMS no longer had the subscription", async () => {
    const browser = pushBrowser("granted", true);
    routes({ "DELETE /api/tasks/push/subscriptions/": apiError(404, "not_found", "Not found.") });
    renderInApp(<NotificationSettingsPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Disable push on this device" }));
    expect(await screen.findByText("Push notifications are off for this device.")).toBeInTheDocument();
    expect(browser.unsubscribe).toHaveBeenCalled();
  });

  it("turns push off: removed from TMS, then from the browser", async () => {
    const browser = pushBrowser("granted", true);
    const api = routes({ "DELETE /api/tasks/push/subscriptions/": respond(204) });
    renderInApp(<NotificationSettingsPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Disable push on this device" }));
    expect(await screen.findByText("Push notifications are off for this device.")).toBeInTheDocument();
    expect(api.calls("DELETE", "/api/tasks/push/subscriptions/")[0].body).toEqual({ endpoint: "https://push.example.com/send/abc" });
    expect(browser.unsubscribe).toHaveBeenCalled();
  });

  it("says so when the server has no push set up", async () => {
    pushBrowser();
    routes({ "GET /api/tasks/push/": respond(200, { enabled: false, public_key: null }) });
    renderInApp(<NotificationSettingsPage />);
    expect(await screen.findByText("Push notifications are not set up on this server.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Enable push on this device" })).not.toBeInTheDocument();
  });

  it("says so when the browser cannot do push", async () => {
    routes();
    renderInApp(<NotificationSettingsPage />);
    expect(await screen.findByText("This browser cannot receive push notifications.")).toBeInTheDocument();
  });
});

describe("the calendar feed", () => {
  it("creates a feed address, shows it once with a copy button, and revokes it after a confirmation", async () => {
    let active = false;
    const url = "https://tms.example.com/api/tasks/calendar/s3cr3t.ics";
    const api = routes({
      "GET /api/tasks/calendar-feed/": () =>
        respond(200, { active, created_at: active ? "2026-11-27T10:00:00Z" : null, last_used_at: null }),
      "POST /api/tasks/calendar-feed/": () => {
        active = true;
        return respond(201, { url, created_at: "2026-11-27T10:00:00Z" });
      },
      "DELETE /api/tasks/calendar-feed/": () => {
        active = false;
        return respond(204);
      },
    });
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    renderInApp(<NotificationSettingsPage />);
    expect(await screen.findByText("No feed address is active.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Create feed URL" }));
    const address = await screen.findByRole("textbox", { name: "Your feed address (shown only now: copy it)" });
    expect(address).toHaveValue(url);
    await userEvent.click(screen.getByRole("button", { name: "Copy" }));
    expect(writeText).toHaveBeenCalledWith(url);
    expect(await screen.findByText("Copied.")).toBeInTheDocument();
    expect(await screen.findByText(/A feed address is active, made 27 Nov 2026/)).toBeInTheDocument();
    expect(api.calls("POST", "/api/tasks/calendar-feed/")).toHaveLength(1);

    await userEvent.click(screen.getByRole("button", { name: "Revoke" }));
    const confirm = screen.getByRole("group", { name: "Revoke the feed address?" });
    await userEvent.click(within(confirm).getByRole("button", { name: "Revoke the feed address" }));
    await waitFor(() => expect(api.calls("DELETE", "/api/tasks/calendar-feed/")).toHaveLength(1));
    expect(await screen.findByText("No feed address is active.")).toBeInTheDocument();
    // the address is not shown again
    expect(screen.queryByRole("textbox", { name: /feed address/ })).not.toBeInTheDocument();
  });
});
