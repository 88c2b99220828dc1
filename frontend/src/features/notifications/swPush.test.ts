import { describe, expect, it, vi } from "vitest";
import { appUrl, notificationOptions, openApp, payloadOf } from "./swPush";

const ORIGIN = "https://tms.example.com";
const data = (value: unknown) => ({ json: () => (typeof value === "string" ? JSON.parse(value) : value), text: () => String(value) });

describe("a push message", () => {
  it("becomes a notification with the server's title, text, tag and the task's address", () => {
    const payload = payloadOf(data({ title: "Pay rent", body: "Due at 09:00", url: "/tasks/42", tag: "reminder-7" }));
    expect(payload).toEqual({ title: "Pay rent", body: "Due at 09:00", url: "/tasks/42", tag: "reminder-7" });
    expect(notificationOptions(payload, ORIGIN)).toMatchObject({
      body: "Due at 09:00",
      tag: "reminder-7",
      data: { url: "https://tms.example.com/tasks/42" },
    });
  });

  it("that is not the expected JSON still shows a notice that opens the app", () => {
    expect(payloadOf(data("not json {"))).toEqual({ title: "TMS", body: "", url: "/", tag: undefined });
    expect(payloadOf(null)).toEqual({ title: "TMS", body: "", url: "/", tag: undefined });
    expect(payloadOf(data({ title: 5, url: ["x"] }))).toEqual({ title: "TMS", body: "", url: "/", tag: undefined });
  });

  it("never opens another site", () => {
    expect(appUrl("https://evil.example.net/phish", ORIGIN)).toBe(`${ORIGIN}/`);
    expect(appUrl("//evil.example.net/x", ORIGIN)).toBe(`${ORIGIN}/`);
    expect(appUrl("javascript:alert(1)", ORIGIN)).toBe(`${ORIGIN}/`);
    expect(appUrl("/tasks/42?x=1", ORIGIN)).toBe(`${ORIGIN}/tasks/42?x=1`);
  });
});

describe("a click on the notification", () => {
  const win = (url: string) => ({ url, focus: vi.fn(async () => undefined), navigate: vi.fn(async () => undefined) });

  it("focuses a window already showing the task", async () => {
    const there = win(`${ORIGIN}/tasks/42`);
    const other = win(`${ORIGIN}/inbox`);
    const clients = { matchAll: vi.fn(async () => [other, there]), openWindow: vi.fn(async () => null) };
    await openApp(clients, `${ORIGIN}/tasks/42`, ORIGIN);
    expect(there.focus).toHaveBeenCalled();
    expect(other.navigate).not.toHaveBeenCalled();
    expect(clients.openWindow).not.toHaveBeenCalled();
  });

  it("takes a window of the app to the task", async () => {
    const other = win(`${ORIGIN}/inbox`);
    const clients = { matchAll: vi.fn(async () => [other]), openWindow: vi.fn(async () => null) };
    await openApp(clients, `${ORIGIN}/tasks/42`, ORIGIN);
    expect(other.focus).toHaveBeenCalled();
    expect(other.navigate).toHaveBeenCalledWith(`${ORIGIN}/tasks/42`);
    expect(clients.openWindow).not.toHaveBeenCalled();
  });

  it("opens a new window when none of the app is open", async () => {
    const clients = { matchAll: vi.fn(async () => []), openWindow: vi.fn(async () => null) };
    await openApp(clients, `${ORIGIN}/tasks/42`, ORIGIN);
    expect(clients.openWindow).toHaveBeenCalledWith(`${ORIGIN}/tasks/42`);
  });
});
