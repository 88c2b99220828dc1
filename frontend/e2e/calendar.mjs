// The calendar, the notification bell and the notification settings in headless Chromium (Debian's
// /usr/bin/chromium) against a running TMS: tasks on their days with their times, drag and drop and "Move to date…",
// a phone's agenda, a notification from another person read from the bell, the channels, the calendar feed, and a
// push message shown by the service worker.
// Usage: node e2e/calendar.mjs BASE_URL [--only TEXT]   (each flow registers its own accounts)
/* global document -- read inside page.evaluate, in the browser */
import { apiClient, expect, finish, flow, launch, mouseDrag } from "./runner.mjs";

const base = process.argv[2];
if (!base) {
  console.log("usage: node e2e/calendar.mjs BASE_URL");
  process.exit(2);
}

const browser = await launch();
const api = apiClient(base);
const password = "a long enough passphrase";
const stamp = Date.now().toString(36);
const ZONE = "Europe/Berlin";
let accounts = 0;
const desktop = { viewport: { width: 1280, height: 860 }, timezoneId: ZONE };

/** Today (YYYY-MM-DD) in the accounts' time zone, and days from it. */
function day(offset = 0) {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  const date = new Date(`${today}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + offset);
  return date.toISOString().slice(0, 10);
}

/** A new account (in Berlin time) signed in in a fresh context as the app is: the refresh token in its cookie; and an API token. */
async function newAccount(options = desktop) {
  accounts += 1;
  const username = `cal${stamp}n${accounts}`;
  const context = await browser.newContext(options);
  const { request } = context;
  await api(request, "POST", "/api/auth/register/", null, { username, email: `${username}@example.com`, password, time_zone: ZONE });
  const { access } = await api(request, "POST", "/api/auth/login/", null, { username, password, use_cookie: true });
  const tab = await context.newPage();
  tab.setDefaultTimeout(15000);
  return { context, tab, username, access, call: (method, path, data) => api(request, method, path, access, data) };
}

const dayCell = (tab, iso) => tab.locator(`[data-day="${iso}"]`);

await flow("calendar: tasks on their days with their times, repeating ones marked; drag to another day keeps the time", async () => {
  const { context, tab, call } = await newAccount();
  try {
    const standup = await call("POST", "/api/tasks/", { title: "Standup", due_date: day(0), due_time: "09:30" });
    await call("POST", "/api/tasks/", { title: "Water the plants", due_date: day(0), recurrence: "FREQ=WEEKLY" });
    await call("POST", "/api/tasks/", { title: "No date at all" });
    await tab.goto(`${base}/inbox`);
    await tab.getByRole("navigation", { name: "Lists" }).getByRole("link", { name: "Calendar", exact: true }).click();
    await tab.getByRole("heading", { name: "Calendar", level: 1 }).waitFor();
    const today = dayCell(tab, day(0));
    expect((await today.getAttribute("aria-current")) === "date", "today is not marked");
    await today.getByRole("link", { name: "09:30 Standup" }).waitFor();
    await today
      .getByText(/Repeats: every week/)
      .first()
      .waitFor({ state: "attached" });
    expect((await tab.getByRole("link", { name: "No date at all" }).count()) === 0, "a task without a date is on the calendar");

    // the week, so that the target day is on screen whatever today is
    await tab.getByRole("group", { name: "Calendar view" }).getByRole("link", { name: "Week" }).click();
    await tab.getByRole("link", { name: "Next week" }).waitFor();
    await dayCell(tab, day(0)).getByRole("link", { name: "09:30 Standup" }).waitFor();
    const target = (await dayCell(tab, day(1)).count()) ? day(1) : day(-1);
    const card = dayCell(tab, day(0)).locator(".cal-task", { hasText: "Standup" });
    await mouseDrag(tab, card, dayCell(tab, target));
    await dayCell(tab, target).getByRole("link", { name: "09:30 Standup" }).waitFor();
    await tab.getByText(/Moved “Standup” to/).waitFor();
    const saved = await call("GET", `/api/tasks/${standup.id}/`);
    expect(saved.due_date === target && saved.due_time === "09:30", `the server has ${saved.due_date} ${saved.due_time}`);
    await tab.reload();
    await dayCell(tab, target).getByRole("link", { name: "09:30 Standup" }).waitFor();
  } finally {
    await context.close();
  }
});

await flow("calendar: Move to date… from the keyboard, Back through months, a task opened beside it", async () => {
  const { context, tab, call } = await newAccount();
  try {
    const report = await call("POST", "/api/tasks/", { title: "Send the report", due_date: day(0) });
    await tab.goto(`${base}/calendar?view=month&date=${day(0)}`);
    const trigger = tab.getByRole("button", { name: "Actions for Send the report" });
    await trigger.focus();
    await tab.keyboard.press("Enter");
    await tab.getByRole("menuitem", { name: "Move to date…" }).waitFor();
    await tab.keyboard.press("Enter");
    const dialog = tab.getByRole("dialog", { name: "Move “Send the report” to another day" });
    await dialog.waitFor();
    const otherDay = `${day(0).slice(0, 7)}-28` > day(0) ? `${day(0).slice(0, 7)}-28` : `${day(0).slice(0, 7)}-01`;
    await dialog.getByLabel("New due date").fill(otherDay);
    await tab.keyboard.press("Enter");
    await dayCell(tab, otherDay).getByRole("link", { name: "Send the report" }).waitFor();
    await tab.getByText(/Moved “Send the report” to/).waitFor(); // the server's answer is in
    const saved = await call("GET", `/api/tasks/${report.id}/`);
    expect(saved.due_date === otherDay, `the server has ${saved.due_date}`);

    const title = await tab.locator(".calendar-title").textContent();
    await tab.getByRole("link", { name: "Next month" }).click();
    await tab.waitForFunction((before) => document.querySelector(".calendar-title")?.textContent !== before, title);
    await tab.goBack();
    await tab.waitForFunction((before) => document.querySelector(".calendar-title")?.textContent === before, title);

    await dayCell(tab, otherDay).getByRole("link", { name: "Send the report" }).click();
    await tab.getByRole("dialog").waitFor();
    expect(new URL(tab.url()).pathname === `/tasks/${report.id}`, `the task panel is at ${tab.url()}`);
    await tab.keyboard.press("Escape");
    await tab.getByRole("dialog").waitFor({ state: "detached" });
    await tab.getByRole("heading", { name: "Calendar", level: 1 }).waitFor();
  } finally {
    await context.close();
  }
});

await flow("calendar at phone width: an agenda of the days with tasks, nothing wider than the screen", async () => {
  const phone = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2, timezoneId: ZONE };
  const { context, tab, call } = await newAccount(phone);
  try {
    await call("POST", "/api/tasks/", { title: "A task with a rather long title that has to wrap on a phone", due_date: day(2) });
    await tab.goto(`${base}/calendar?view=month&date=${day(2)}`);
    await tab.getByRole("link", { name: /rather long title/ }).waitFor();
    const width = await tab.evaluate(() => document.documentElement.scrollWidth);
    expect(width <= 390, `the page is ${width}px wide`);
    expect(await dayCell(tab, day(0)).isVisible(), "today is not shown");
    const free = day(2) === day(1) ? day(3) : day(1);
    expect(!(await dayCell(tab, free).isVisible()) || free === day(0), "a day without tasks is shown in the agenda");
  } finally {
    await context.close();
  }
});

await flow("notification bell: assigned by someone else, read from the bell, Mark all read", async () => {
  const ada = await newAccount();
  const bob = await newAccount();
  try {
    const project = await ada.call("POST", "/api/tasks/projects/", { name: "Garden", colour: "#16a34a" });
    await ada.call("POST", `/api/tasks/projects/${project.id}/members/`, { user: bob.username, role: "editor" });
    const me = await bob.call("GET", "/api/auth/me/");
    const task = await ada.call("POST", "/api/tasks/", { title: "Prune the roses", project: project.id, assignees: [me.id] });
    const { unread } = await bob.call("GET", "/api/tasks/notifications/summary/");
    expect(unread >= 1, `bob has ${unread} unread notifications`);
    const tab = bob.tab;
    await tab.goto(`${base}/inbox`);
    const bell = tab.getByRole("button", { name: `Notifications, ${unread} unread` });
    await bell.click();
    const panel = tab.getByRole("region", { name: "Notifications" });
    const item = panel.getByRole("link", { name: /Prune the roses/ });
    await item.click();
    await tab.getByRole("dialog").waitFor();
    expect(new URL(tab.url()).pathname === `/tasks/${task.id}`, `the notification opened ${tab.url()}`);
    await tab.keyboard.press("Escape");
    await tab.getByRole("dialog").waitFor({ state: "detached" });
    const left = unread - 1;
    await tab.getByRole("button", { name: left ? `Notifications, ${left} unread` : "Notifications", exact: true }).click();
    if (left) {
      const sent = tab.waitForResponse((r) => r.url().endsWith("/api/tasks/notifications/read/") && r.request().method() === "POST");
      await panel.getByRole("button", { name: "Mark all read" }).click();
      await tab.getByRole("button", { name: "Notifications", exact: true }).waitFor(); // at once, before the server answers
      expect((await sent).ok(), "Mark all read was refused");
    }
    let after = { unread: -1 };
    for (let i = 0; i < 20 && after.unread !== 0; i++) {
      if (i) await tab.waitForTimeout(100);
      after = await bob.call("GET", "/api/tasks/notifications/summary/");
    }
    expect(after.unread === 0, `${after.unread} still unread`);
  } finally {
    await ada.context.close();
    await bob.context.close();
  }
});

await flow("notification settings: a channel turned off stays off; the calendar feed made, read by a calendar, revoked", async () => {
  const { context, tab, call } = await newAccount();
  try {
    await call("POST", "/api/tasks/", { title: "Renew the passport", due_date: day(5) });
    await tab.goto(`${base}/inbox`);
    await tab.getByRole("navigation", { name: "Lists" }).getByRole("link", { name: "Notifications", exact: true }).click();
    const email = tab.getByRole("checkbox", { name: "Reminders by e-mail" });
    const before = await email.isChecked();
    await email.click();
    await tab.getByText("Saved.").waitFor();
    await tab.reload();
    await tab.getByRole("checkbox", { name: "Reminders by e-mail" }).waitFor();
    expect((await tab.getByRole("checkbox", { name: "Reminders by e-mail" }).isChecked()) === !before, "the channel did not stay changed");
    const settings = await call("GET", "/api/tasks/notifications/settings/");
    expect(settings.email_reminders === !before, "the server did not keep the channel");

    await tab.getByRole("button", { name: "Create feed URL" }).click();
    const address = tab.getByRole("textbox", { name: "Your feed address (shown only now: copy it)" });
    const url = await address.inputValue();
    expect(/\/api\/tasks\/calendar\/[^/]+\.ics$/.test(url), `the feed address is ${url}`);
    const feed = await context.request.get(base + new URL(url).pathname); // a calendar app: no session
    expect(feed.ok() && feed.headers()["content-type"].startsWith("text/calendar"), `the feed answered ${feed.status()}`);
    expect((await feed.text()).includes("Renew the passport"), "the feed lacks the dated task");
    await tab.getByRole("button", { name: "Revoke", exact: true }).click();
    await tab.getByRole("button", { name: "Revoke the feed address" }).click();
    await tab.getByText("No feed address is active.").waitFor();
    const gone = await context.request.get(base + new URL(url).pathname);
    expect(gone.status() === 404, `a revoked feed answered ${gone.status()}`);
    await tab.reload();
    await tab.getByText("No feed address is active.").waitFor();
    expect((await address.count()) === 0, "the feed address was shown again");
  } finally {
    await context.close();
  }
});

await flow("push: the service worker shows a pushed message, with the task's address to open on a click", async () => {
  const { context, tab, call } = await newAccount();
  try {
    const task = await call("POST", "/api/tasks/", { title: "Call the plumber" });
    await context.grantPermissions(["notifications"], { origin: base });
    await tab.goto(`${base}/settings/notifications`);
    await tab.getByRole("heading", { name: "Push on this device" }).waitFor();
    await tab.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    // Chromium's DevTools protocol delivers a push message to the worker as a push service would.
    const cdp = await context.newCDPSession(tab);
    const registration = new Promise((resolve) =>
      cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
        const found = registrations.find((r) => r.scopeURL.startsWith(base) && !r.isDeleted);
        if (found) resolve(found.registrationId);
      }),
    );
    await cdp.send("ServiceWorker.enable");
    const registrationId = await registration;
    const payload = { title: "Reminder", body: "Call the plumber is due", url: `/tasks/${task.id}`, tag: `task-${task.id}` };
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: base, registrationId, data: JSON.stringify(payload) });
    let shown = [];
    for (let i = 0; i < 50 && shown.length === 0; i++) {
      shown = await tab.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
          data: n.data,
        })),
      );
      if (!shown.length) await tab.waitForTimeout(100);
    }
    expect(shown.length === 1, `${shown.length} notifications shown`);
    const [note] = shown;
    expect(note.title === "Reminder" && note.body === "Call the plumber is due", `shown: ${JSON.stringify(note)}`);
    expect(note.data?.url === `${base}/tasks/${task.id}`, `its address: ${note.data?.url}`);
  } finally {
    await context.close();
  }
});

await finish(browser, "calendar");
