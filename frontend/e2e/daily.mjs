// Everyday use of the web app in headless Chromium (Debian's /usr/bin/chromium) against a running TMS: quick add,
// the keyboard, dark mode, German, a phone's drag, Back, forged links, paging, history, board moves, edit conflicts.
// Each flow registers its own account in its own browser context, so any one can fail without the others.
// Usage: node e2e/daily.mjs BASE_URL [--only TEXT]   (the server: 30-second access tokens, rate limits off;
// --only runs the flows whose name holds TEXT)
/* global document, getComputedStyle -- read inside page.evaluate, in the browser */
import { readFileSync } from "node:fs";
import { expect, finish, flow, launch, signUp } from "./runner.mjs";

const base = process.argv[2];
if (!base) {
  console.log("usage: node e2e/daily.mjs BASE_URL");
  process.exit(2);
}
const german = JSON.parse(readFileSync(new URL("../src/i18n/de.json", import.meta.url), "utf8"));

/** The German text of an English key; a key German lacks (or leaves English) fails the flow rather than passing in English. */
function de(key) {
  const text = german[key];
  expect(typeof text === "string" && text !== "" && text !== key, `de.json has no German for “${key}”`);
  return text;
}

const browser = await launch();
const password = "a long enough passphrase";
const stamp = Date.now().toString(36);
let accounts = 0;
const desktop = { viewport: { width: 1280, height: 860 } };

/** A fresh browser context with a new account registered through the app; `say` gives the texts of the context's language. */
async function newAccount(options = desktop, say = (text) => text) {
  accounts += 1;
  const username = `daily${stamp}n${accounts}`;
  const context = await browser.newContext(options);
  const tab = await context.newPage();
  tab.setDefaultTimeout(15000);
  await signUp(tab, base, { username, password, say });
  return { context, tab, username };
}

/** Sign in on a fresh context's sign-in screen. */
async function signIn(tab, username) {
  await tab.goto(base);
  await tab.getByLabel("Username or email").fill(username);
  await tab.getByLabel("Password").fill(password);
  await tab.getByRole("button", { name: "Sign in" }).click();
  await tab.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Tasks (titles, or the fields) made through the API with a token of their own (use_cookie false: the app's session is left alone). */
async function createTasks(tab, username, tasks) {
  const login = await tab.request.post(`${base}/api/auth/login/`, { data: { username, password, use_cookie: false } });
  expect(login.ok(), `login for the API answered ${login.status()}`);
  const { access } = await login.json();
  for (const task of tasks) {
    const data = typeof task === "string" ? { title: task } : task;
    const made = await tab.request.post(`${base}/api/tasks/`, { data, headers: { Authorization: `Bearer ${access}` } });
    expect(made.status() === 201, `creating “${data.title}” answered ${made.status()}: ${await made.text()}`);
  }
}

const lists = (tab, name = "Lists") => tab.getByRole("navigation", { name });
const row = (scope, title) => scope.getByRole("article", { name: title, exact: true });
const path = (tab) => {
  const url = new URL(tab.url());
  return url.pathname + url.search;
};

/** Relative luminance (0 black .. 1 white) of the page's background: body's, or the root's when body has none. */
const backgroundLuminance = (tab) =>
  tab.evaluate(() => {
    const parse = (colour) => (colour.match(/[\d.]+/g) ?? []).map(Number);
    let rgba = parse(getComputedStyle(document.body).backgroundColor);
    if (rgba.length === 4 && rgba[3] === 0) rgba = parse(getComputedStyle(document.documentElement).backgroundColor);
    if (rgba.length === 4 && rgba[3] === 0) return null; // transparent all the way: the browser's canvas, not the app's
    const linear = rgba.slice(0, 3).map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  });

await flow("quick add with a date: “Buy milk tomorrow !high” is due tomorrow with high priority", async () => {
  const { context, tab } = await newAccount();
  try {
    await tab.keyboard.press("q");
    const dialog = tab.getByRole("dialog", { name: "Quick add" });
    await dialog.waitFor();
    await tab.keyboard.type("Buy milk tomorrow !high");
    await tab.keyboard.press("Enter");
    await dialog.getByRole("status").filter({ hasText: "Added “Buy milk”" }).waitFor();
    await tab.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    const task = row(tab.getByRole("main"), "Buy milk");
    await task.waitFor();
    await task.getByText(/\bTomorrow\b/).waitFor();
    await task.getByText(/\bHigh\b/).waitFor();
  } finally {
    await context.close();
  }
});

await flow("the keyboard alone: q adds a task, j focuses it, x completes it, u undoes that (still open after a reload)", async () => {
  const { context, tab } = await newAccount();
  const title = "Call the plumber";
  const focusedTitle = () =>
    tab.evaluate(() => {
      const el = document.activeElement;
      return el?.classList.contains("task-title") ? el.closest("[data-task-id]")?.getAttribute("aria-label") : null;
    });
  try {
    await tab.keyboard.press("q");
    const dialog = tab.getByRole("dialog", { name: "Quick add" });
    await dialog.waitFor();
    await tab.keyboard.type(title);
    await tab.keyboard.press("Enter");
    await dialog
      .getByRole("status")
      .filter({ hasText: `Added “${title}”` })
      .waitFor();
    await tab.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await row(tab.getByRole("main"), title).waitFor();
    await tab.keyboard.press("j");
    expect((await focusedTitle()) === title, `j did not focus the first task's title (focus: ${await focusedTitle()})`);
    await tab.keyboard.press("x");
    await tab
      .getByRole("status")
      .filter({ hasText: `Completed “${title}”` })
      .waitFor();
    const done = tab.getByRole("checkbox", { name: `Reopen ${title}` });
    await done.waitFor();
    expect(await done.isChecked(), "x did not check the task's checkbox");
    await tab.keyboard.press("u");
    const open = tab.getByRole("checkbox", { name: `Complete ${title}` });
    await open.waitFor();
    expect(!(await open.isChecked()), "u left the checkbox checked");
    await tab.waitForLoadState("networkidle");
    await tab.reload();
    await open.waitFor();
    expect(!(await open.isChecked()), "after a reload the task is done again: the undo did not reach the server");
  } finally {
    await context.close();
  }
});

await flow("dark mode: the system's dark scheme darkens the page; the toggle's light choice survives a reload", async () => {
  const { context, tab } = await newAccount({ ...desktop, colorScheme: "dark" });
  try {
    const dark = await backgroundLuminance(tab);
    expect(dark !== null && dark < 0.2, `the page is not dark under a dark system scheme (luminance ${dark})`);
    await tab.getByRole("button", { name: "Switch to the light theme" }).click();
    await tab.getByRole("button", { name: "Switch to the dark theme" }).waitFor();
    const light = await backgroundLuminance(tab);
    expect(light !== null && light > 0.5, `the light theme is not light (luminance ${light})`);
    await tab.reload();
    await tab.getByRole("button", { name: "Switch to the dark theme" }).waitFor();
    const after = await backgroundLuminance(tab);
    expect(after !== null && after > 0.5, `after a reload the page is dark again (luminance ${after})`);
  } finally {
    await context.close();
  }
});

await flow("German: a de-DE browser gets the sidebar and buttons in German, and “morgen” reads “Morgen”", async () => {
  const { context, tab } = await newAccount({ ...desktop, locale: "de-DE" }, de);
  try {
    const sidebar = lists(tab, de("Lists"));
    await sidebar.getByRole("link", { name: de("Inbox"), exact: true }).waitFor();
    await sidebar.getByRole("link", { name: de("Today"), exact: true }).waitFor();
    await tab.getByRole("button", { name: de("New task"), exact: true }).waitFor();
    await tab.getByRole("button", { name: de("Quick add") }).click();
    const dialog = tab.getByRole("dialog", { name: de("Quick add") });
    await dialog.getByRole("textbox").fill("Milch kaufen morgen");
    await dialog.getByRole("textbox").press("Enter");
    await dialog.getByRole("status").filter({ hasText: "Milch kaufen" }).waitFor();
    await tab.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    const task = row(tab.getByRole("main"), "Milch kaufen");
    await task.waitFor();
    await task.getByText(/\bMorgen\b/).waitFor();
  } finally {
    await context.close();
  }
});

await flow("German: the task editor's fields and buttons are German too", async () => {
  const { context, tab } = await newAccount({ ...desktop, locale: "de-DE" }, de);
  const fields = ["Title", "Description", "Status", "Priority", "Due date"];
  const buttons = ["Save", "Cancel"];
  try {
    await tab.getByRole("button", { name: de("New task"), exact: true }).click();
    const dialog = tab.getByRole("dialog");
    await dialog.locator("#title").waitFor();
    const english = [];
    for (const key of [...fields, ...buttons]) {
      const text = german[key];
      const shown = !text
        ? 0
        : fields.includes(key)
          ? await dialog.getByLabel(text, { exact: true }).count()
          : await dialog.getByRole("button", { name: text, exact: true }).count();
      if (!shown) english.push(text ? `${key} (not “${text}”)` : `${key} (no German in de.json)`);
    }
    expect(english.length === 0, `the editor still says in English: ${english.join(", ")}`);
  } finally {
    await context.close();
  }
});

await flow("phone-width drag: press and hold a card, then move it with touch into In progress; it stays after a reload", async () => {
  const phone = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };
  const { context, tab, username } = await newAccount(phone);
  const title = "Water the plants";
  try {
    await createTasks(tab, username, [title]);
    await tab.goto(`${base}/board`);
    const todo = tab.locator('[data-status="todo"]');
    const inProgress = tab.locator('[data-status="in_progress"]');
    const card = todo.locator(".card").filter({ has: row(tab, title) });
    await card.waitFor();
    // The columns stack: bring the card near the top, so that the In progress column below is on screen too.
    await card.evaluate((el) => el.scrollIntoView({ block: "start" }));
    await tab.waitForTimeout(200);
    const from = await card.boundingBox();
    let to = await inProgress.boundingBox();
    expect(from && to, "the card or the In progress column has no box");
    const height = 844;
    expect(from.y >= 0 && from.y + from.height <= height, `the card is off screen: ${JSON.stringify(from)}`);
    const target = { x: to.x + to.width / 2, y: Math.min(to.y + Math.min(to.height / 2, 60), height - 10) };
    expect(target.y > from.y + from.height, `the In progress column is not below the card: ${JSON.stringify(to)}`);
    const cdp = await context.newCDPSession(tab);
    const touch = (type, x, y) =>
      cdp.send("Input.dispatchTouchEvent", {
        type,
        touchPoints: type === "touchEnd" ? [] : [{ x: Math.round(x), y: Math.round(y), id: 1 }],
      });
    const start = { x: from.x + from.width / 2, y: from.y + Math.min(from.height / 2, 20) };
    await touch("touchStart", start.x, start.y);
    await tab.waitForTimeout(350); // press and hold: the board's touch sensor waits 200 ms
    const steps = 12;
    for (let i = 1; i <= steps; i++) {
      await touch("touchMove", start.x + ((target.x - start.x) * i) / steps, start.y + ((target.y - start.y) * i) / steps);
      await tab.waitForTimeout(30);
    }
    await tab.waitForTimeout(150);
    await touch("touchEnd");
    await row(inProgress, title).waitFor();
    await tab.waitForLoadState("networkidle");
    await tab.reload();
    await row(inProgress, title).waitFor();
    expect((await row(todo, title).count()) === 0, "after a reload the card is back in To do");
  } finally {
    await context.close();
  }
});

await flow("Back steps through the views: Inbox, Today, Board, then Back to Today and Back to the Inbox", async () => {
  const { context, tab } = await newAccount();
  const sidebar = lists(tab);
  const current = async (name) => (await sidebar.getByRole("link", { name, exact: true }).getAttribute("aria-current")) === "page";
  try {
    await sidebar.getByRole("link", { name: "Inbox", exact: true }).click();
    await tab.waitForURL(/\/inbox$/);
    await sidebar.getByRole("link", { name: "Today", exact: true }).click();
    await tab.waitForURL(/\/today$/);
    await tab.getByRole("group", { name: "View" }).getByRole("link", { name: "Board", exact: true }).click();
    await tab.getByRole("region", { name: "Board" }).waitFor();
    expect(path(tab) === "/board?list=today", `the board is at ${path(tab)}`);
    await tab.goBack();
    await tab.waitForURL(/\/today$/);
    await tab.getByRole("region", { name: "Task list" }).waitFor();
    expect(await current("Today"), "after Back, Today is not the current list");
    expect(!(await current("Inbox")), "after Back, the Inbox is marked current too");
    await tab.goBack();
    await tab.waitForURL(/\/inbox$/);
    expect(path(tab) === "/inbox", `the second Back went to ${path(tab)}`);
    await tab.getByRole("heading", { name: "Inbox", level: 1 }).waitFor();
    expect(await current("Inbox"), "after the second Back, the Inbox is not the current list");
    expect(!(await current("Today")), "after the second Back, Today is still marked current");
  } finally {
    await context.close();
  }
});

await flow("a forged project link (/projects/99999, /projects/abc) says so once, with a link to the Inbox", async () => {
  const { context, tab } = await newAccount();
  const sentences = /no longer available to you|There is nothing at this address|Not found\.|does not exist/;
  try {
    for (const forged of ["/projects/99999", "/projects/abc"]) {
      await tab.goto(base + forged);
      const main = tab.getByRole("main");
      await main.getByText(sentences).first().waitFor();
      await tab.waitForLoadState("networkidle"); // whatever else the page asks the server for has answered
      await tab.waitForTimeout(500);
      const said = await tab.getByText(sentences).allInnerTexts();
      expect(said.length === 1, `${forged} says it ${said.length} times: ${JSON.stringify(said)}`);
      const notices = await tab.locator('[role="alert"], [role="status"], .notice, .error').filter({ hasText: /\S/ }).allInnerTexts();
      expect(notices.length <= 1, `${forged} shows ${notices.length} notices: ${JSON.stringify(notices)}`);
      const inbox = main.getByRole("link", { name: "Go to the Inbox" });
      expect((await inbox.count()) === 1, `${forged} offers ${await inbox.count()} links to the Inbox`);
      await inbox.click();
      await tab.waitForURL(/\/inbox$/);
    }
  } finally {
    await context.close();
  }
});

await flow("signed out: a fresh visit logs no console error and asks for no refresh (no tms_session cookie)", async () => {
  const context = await browser.newContext(desktop);
  const tab = await context.newPage();
  tab.setDefaultTimeout(15000);
  const errors = [];
  const refreshes = [];
  tab.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  tab.on("pageerror", (error) => errors.push(String(error)));
  tab.on("request", (request) => request.url().endsWith("/api/auth/refresh/") && refreshes.push(request.url()));
  try {
    await tab.goto(base);
    await tab.getByRole("button", { name: "Sign in" }).waitFor();
    await tab.waitForTimeout(1500); // a start-up request's answer, and whatever it logs, has come by now
    expect(errors.length === 0, `the console logged: ${errors.join(" | ")}`);
    expect(refreshes.length === 0, `the app asked for a refresh with no session: ${refreshes.length}`);
  } finally {
    await context.close();
  }
});

await flow("“Load more” then complete a task of the second page: the list still shows all 55", async () => {
  const { context, tab, username } = await newAccount();
  const titles = Array.from({ length: 55 }, (_, i) => `Chore ${String(i + 1).padStart(2, "0")}`);
  try {
    await createTasks(tab, username, titles);
    await lists(tab).getByRole("link", { name: "All tasks", exact: true }).click();
    const rows = tab.getByRole("main").locator("[data-task-id]");
    await tab.reload(); // the list as the server has it now
    await rows.nth(49).waitFor();
    expect((await rows.count()) === 50, `the first page shows ${await rows.count()} rows`);
    await tab.getByRole("button", { name: "Load more" }).click();
    await rows.nth(54).waitFor();
    expect((await rows.count()) === 55, `after Load more: ${await rows.count()} rows`);
    const second = await rows.nth(52).getAttribute("aria-label");
    await tab.getByRole("checkbox", { name: `Complete ${second}` }).click();
    await tab
      .getByRole("status")
      .filter({ hasText: `Completed “${second}”` })
      .waitFor();
    await tab.waitForLoadState("networkidle");
    await tab.waitForTimeout(500);
    await tab.waitForLoadState("networkidle");
    expect((await rows.count()) === 55, `after completing “${second}” the list shows ${await rows.count()} rows, not 55`);
    expect(await tab.getByRole("checkbox", { name: `Reopen ${second}` }).isChecked(), `“${second}” is not shown done`);
  } finally {
    await context.close();
  }
});

await flow("the history panel is on screen at 1280 and at 390 px wide", async () => {
  const { context, tab, username } = await newAccount();
  const title = "Renew the passport";
  try {
    // a long description: the history comes below it, further down than a phone's screen
    const description = Array.from({ length: 30 }, (_, i) => `Step ${i + 1}: check the form, the photos and the fee.`).join("\n\n");
    await createTasks(tab, username, [{ title, description }]);
    for (const width of [1280, 390]) {
      const height = width === 390 ? 844 : 860;
      await tab.setViewportSize({ width, height });
      await tab.goto(`${base}/inbox`);
      await tab.getByRole("button", { name: `Actions for ${title}` }).click();
      await tab.getByRole("menuitem", { name: "History" }).click();
      const history = tab.getByRole("region", { name: `History of ${title}` });
      await history
        .getByText(/created/i)
        .first()
        .waitFor();
      await tab.waitForTimeout(400); // the panel slides in and scrolls itself into view
      const box = await history.boundingBox();
      expect(
        box && box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5,
        `at ${width} px the history is outside the ${width}×${height} window: ${JSON.stringify(box)}`,
      );
    }
  } finally {
    await context.close();
  }
});

await flow("a card moved to In progress from its menu by keyboard keeps the focus, in its new column", async () => {
  const { context, tab, username } = await newAccount();
  const title = "Draft the agenda";
  try {
    await createTasks(tab, username, [title, "Book the room"]);
    await tab.goto(`${base}/board`);
    const trigger = tab.getByRole("button", { name: `Actions for ${title}` });
    await tab.locator('[data-status="todo"]').getByRole("article", { name: title }).waitFor();
    await trigger.focus();
    await tab.keyboard.press("Enter");
    await tab.getByRole("menu").waitFor();
    const focusedItem = () => tab.evaluate(() => document.activeElement?.textContent ?? "");
    for (let step = 0; step < 10 && (await focusedItem()) !== "Move to In progress"; step++) {
      await tab.keyboard.press("ArrowDown");
      await tab.waitForTimeout(120); // a person's pace: keys pressed faster than the menu moves its focus are lost
    }
    expect((await focusedItem()) === "Move to In progress", `the menu never reached “Move to In progress” (at ${await focusedItem()})`);
    await tab.keyboard.press("Enter");
    await tab.locator('[data-status="in_progress"]').getByRole("article", { name: title }).waitFor();
    await tab.waitForLoadState("networkidle");
    await tab.waitForTimeout(300);
    const focus = await tab.evaluate(() => {
      const el = document.activeElement;
      return {
        column: el?.closest("[data-status]")?.getAttribute("data-status") ?? null,
        card: el?.closest("[data-task-id]")?.getAttribute("aria-label") ?? null,
        what: el ? `${el.tagName} ${el.getAttribute("aria-label") ?? el.textContent?.slice(0, 40)}` : null,
      };
    });
    expect(focus.column === "in_progress" && focus.card === title, `the focus is not on the moved card: ${JSON.stringify(focus)}`);
  } finally {
    await context.close();
  }
});

await flow("an edit conflict in people's words: “Save mine over theirs” wins", async () => {
  const first = await newAccount();
  const second = { context: await browser.newContext(desktop) };
  second.tab = await second.context.newPage();
  second.tab.setDefaultTimeout(15000);
  const title = "Plan the trip";
  try {
    await createTasks(first.tab, first.username, [title]);
    await signIn(second.tab, first.username);
    await first.tab.reload();
    for (const { tab } of [first, second]) {
      await tab.getByRole("button", { name: `Actions for ${title}` }).click();
      await tab.getByRole("menuitem", { name: "Edit" }).click();
      await tab.getByRole("dialog").getByRole("textbox", { name: "Title" }).waitFor();
    }
    await first.tab.getByRole("dialog").getByRole("textbox", { name: "Title" }).fill("Plan the trip to Lisbon");
    await first.tab.getByRole("dialog").getByRole("button", { name: "Save" }).click();
    await first.tab.getByRole("dialog").getByRole("textbox", { name: "Title" }).waitFor({ state: "detached" });
    const dialog = second.tab.getByRole("dialog");
    await dialog.getByRole("textbox", { name: "Title" }).fill("Plan the trip to Porto");
    await dialog.getByRole("button", { name: "Save" }).click();
    const alert = dialog.getByRole("alert").filter({ hasText: "Someone else changed this task while you were editing it." });
    await alert.waitFor();
    await alert.getByRole("button", { name: "Show their version" }).waitFor();
    await alert.getByRole("button", { name: "Save mine over theirs" }).click();
    await dialog.getByRole("textbox", { name: "Title" }).waitFor({ state: "detached" });
    for (const { tab } of [second, first]) {
      await tab.goto(`${base}/inbox`);
      await row(tab.getByRole("main"), "Plan the trip to Porto").waitFor();
      expect((await row(tab, "Plan the trip to Lisbon").count()) === 0, "the first person's title is still shown");
    }
  } finally {
    await first.context.close();
    await second.context.close();
  }
});

await finish(browser, "daily");
