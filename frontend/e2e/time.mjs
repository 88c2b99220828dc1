// Due times and repeats in headless Chromium (Debian's /usr/bin/chromium) against a running TMS: quick add reads
// "every week on Monday 9am", previews it, and the task comes back to do on the next Monday when completed; the task
// editor's repeat presets are saved and described by the server. Each flow registers its own account (in Berlin).
// Usage: node e2e/time.mjs BASE_URL [--only TEXT]
import { AxeBuilder } from "@axe-core/playwright";
import { apiClient, expect, finish, flow, launch, signUp } from "./runner.mjs";

const base = process.argv[2];
if (!base) {
  console.log("usage: node e2e/time.mjs BASE_URL");
  process.exit(2);
}

const browser = await launch();
const api = apiClient(base);
const password = "a long enough passphrase";
const stamp = Date.now().toString(36);
const timeZone = "Europe/Berlin";
let accounts = 0;

/** A fresh context in Berlin's time zone with a new account registered through the app (it takes the browser's zone). */
async function newAccount() {
  accounts += 1;
  const username = `time${stamp}n${accounts}`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: timeZone, locale: "en-GB" });
  const tab = await context.newPage();
  tab.setDefaultTimeout(15000);
  await signUp(tab, base, { username, password });
  const login = await api(tab.request, "POST", "/api/auth/login/", null, { username, password, use_cookie: false });
  return { context, tab, access: login.access };
}

const row = (tab, title) => tab.getByRole("main").getByRole("article", { name: title, exact: true });

/** Today in Berlin (YYYY-MM-DD) and its wall-clock time (HH:MM). */
function berlinNow() {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(new Date());
  const part = (type) => parts.find((p) => p.type === type).value;
  return { date: `${part("year")}-${part("month")}-${part("day")}`, time: `${part("hour")}:${part("minute")}` };
}

function addDays(isoDate, days) {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The Monday a weekly Monday 9:00 repeat starts on: today if it is a Monday before 9:00, else the next. */
function firstMonday() {
  const now = berlinNow();
  const weekday = new Date(`${now.date}T00:00:00Z`).getUTCDay(); // 0 Sunday, 1 Monday
  if (weekday === 1 && now.time < "09:00") return now.date;
  return addDays(now.date, (8 - weekday) % 7 || 7);
}

/** The words a row uses for a day: the weekday within six days, else "Mon 14 Dec" (as lib/dates.ts's relativeDay). */
function rowDay(isoDate) {
  const days = Math.round((Date.parse(isoDate) - Date.parse(berlinNow().date)) / 86_400_000);
  const date = new Date(`${isoDate}T00:00:00Z`);
  if (days === 0) return "Today";
  if (days === 1) return "Tomorrow";
  if (days > 1 && days <= 6) return new Intl.DateTimeFormat("en-GB", { weekday: "long", timeZone: "UTC" }).format(date);
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" }).format(date); // "14 Dec"
}

await flow("quick add “Water the plants every week on Monday 9am”: preview, save, complete, back to do on the next Monday", async () => {
  const { context, tab, access } = await newAccount();
  const title = "Water the plants";
  const monday = firstMonday();
  try {
    await tab.keyboard.press("q");
    const dialog = tab.getByRole("dialog", { name: "Quick add" });
    await dialog.waitFor();
    await tab.keyboard.type(`${title} every week on Monday 9am`);
    const understood = dialog.getByRole("list", { name: "Understood" });
    await understood.getByText("Every week on Monday").waitFor();
    await understood.getByText("At 9:00").waitFor();
    await dialog.getByText(`Task: ${title}`).waitFor();
    await understood.locator(`time[datetime="${monday}"]`).waitFor();
    await tab.keyboard.press("Enter");
    await dialog
      .getByRole("status")
      .filter({ hasText: `Added “${title}”` })
      .waitFor();
    await tab.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });

    const task = row(tab, title);
    await task.waitFor();
    await task.getByRole("img", { name: "every week on Monday" }).waitFor();
    await task.getByText("9:00").waitFor();
    const [saved] = (await api(tab.request, "GET", "/api/tasks/?q=Water", access)).results;
    expect(saved.due_date === monday, `saved due ${saved.due_date}, expected ${monday}`);
    expect(saved.due_time === "09:00", `saved time ${saved.due_time}`);
    expect(saved.recurrence === "FREQ=WEEKLY;BYDAY=MO", `saved rule ${saved.recurrence}`);

    // A click, not check(): the answer puts the repeating task back to do, unticked, and check()
    // would take that for a click that did nothing.
    await task.getByRole("checkbox", { name: `Complete ${title}` }).click();
    const next = addDays(monday, 7);
    await tab
      .getByRole("status")
      .filter({ hasText: `Completed “${title}”; next due` })
      .waitFor();
    // Back in to-do, with the next Monday's date, without a reload.
    await task.getByRole("checkbox", { name: `Complete ${title}` }).waitFor();
    expect(!(await task.getByRole("checkbox").isChecked()), "the repeating task still looks done");
    await task.getByText(rowDay(next)).waitFor();
    const again = await api(tab.request, "GET", `/api/tasks/${saved.id}/`, access);
    expect(
      again.status === "todo" && again.due_date === next,
      `after completing: ${again.status} ${again.due_date}, expected todo ${next}`,
    );
    await tab.reload();
    await row(tab, title).getByText(rowDay(next)).waitFor();
  } finally {
    await context.close();
  }
});

await flow("the editor's repeat presets: “Every month on the last day” is saved and described by the server", async () => {
  const { context, tab, access } = await newAccount();
  const title = "Send the invoices";
  try {
    const due = addDays(berlinNow().date, 3);
    await api(tab.request, "POST", "/api/tasks/", access, { title, due_date: due });
    await tab.reload();
    const task = row(tab, title);
    await task.getByRole("button", { name: `Actions for ${title}` }).click();
    await tab.getByRole("menuitem", { name: "Edit" }).click();
    const form = tab.getByRole("form", { name: "Edit task" });
    await form.getByLabel("Due time").fill("17:30");
    await form.getByRole("combobox", { name: "Repeats" }).selectOption({ label: "Every month on the last day" });
    await form.getByRole("button", { name: "Add a reminder" }).click();
    await form.getByRole("combobox", { name: "Reminder 1" }).selectOption({ label: "1 hour before" });
    await form.getByRole("button", { name: "Save" }).click();
    await form.waitFor({ state: "detached" });

    const saved = await api(tab.request, "GET", `/api/tasks/?q=invoices`, access).then((page) => page.results[0]);
    expect(saved.recurrence === "FREQ=MONTHLY;BYMONTHDAY=-1", `saved rule ${saved.recurrence}`);
    expect(saved.recurrence_text === "every month on the last day", `server text ${saved.recurrence_text}`);
    expect(saved.due_time === "17:30", `saved time ${saved.due_time}`);
    expect(saved.reminders.length === 1 && saved.reminders[0].before_minutes === 60, `reminders ${JSON.stringify(saved.reminders)}`);

    // The editor opened again shows the server's words for the rule and the reminder as chosen.
    await tab.getByRole("dialog").getByRole("button", { name: "Edit" }).click();
    const again = tab.getByRole("form", { name: "Edit task" });
    await again.getByText("every month on the last day", { exact: true }).waitFor();
    expect((await again.getByRole("combobox", { name: "Reminder 1" }).inputValue()) === "60", "the reminder did not come back");
    await again.getByRole("button", { name: "Cancel" }).click();
    await tab.keyboard.press("Escape");
    await row(tab, title).getByRole("img", { name: "every month on the last day" }).waitFor();
    await row(tab, title).getByText("17:30").waitFor();
  } finally {
    await context.close();
  }
});

/** axe-core on the page as it is, in light and dark: no serious or critical violation (as e2e/a11y.mjs). */
async function accessible(tab, what) {
  for (const colorScheme of ["light", "dark"]) {
    await tab.emulateMedia({ colorScheme });
    await tab.waitForTimeout(300); // transitions end
    const { violations } = await new AxeBuilder({ page: tab }).analyze();
    const failing = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    const found = failing.map((v) => `${v.id} [${v.impact}]: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    expect(failing.length === 0, `${what} (${colorScheme}): ${found.join("; ")}`);
  }
}

await flow("the editor's repeat and reminders, and quick add's preview, pass axe-core in light and dark", async () => {
  const { context, tab, access } = await newAccount();
  try {
    const task = await api(tab.request, "POST", "/api/tasks/", access, {
      title: "Renew the passport",
      due_date: addDays(berlinNow().date, 5),
    });
    await tab.goto(`${base}/tasks/${task.id}?edit=1`);
    const form = tab.getByRole("form", { name: "Edit task" });
    await form.getByLabel("Due time").fill("08:15");
    await form.getByRole("combobox", { name: "Repeats" }).selectOption({ label: "Custom…" });
    await form.getByRole("radio", { name: "After a number of times" }).check();
    await form.getByRole("button", { name: "Add a reminder" }).click();
    await form.getByRole("button", { name: "Add a reminder" }).click();
    await form.getByRole("combobox", { name: "Reminder 2" }).selectOption({ label: "At a date and time…" });
    await accessible(tab, "the task editor");
    await tab.keyboard.press("Escape");
    await tab.getByRole("dialog").waitFor({ state: "detached" });
    await tab.keyboard.press("q");
    await tab.getByRole("dialog", { name: "Quick add" }).waitFor();
    await tab.keyboard.type("Stand-up every weekday 9:30am !high");
    await tab.getByRole("list", { name: "Understood" }).getByText("Every weekday (Monday to Friday)").waitFor();
    await accessible(tab, "quick add's preview");
  } finally {
    await context.close();
  }
});

await finish(browser, "time");
