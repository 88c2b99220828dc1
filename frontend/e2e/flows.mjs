// End-to-end flows in headless Chromium (Debian's /usr/bin/chromium) against a running TMS.
// Usage: node e2e/flows.mjs BASE_URL
/* global document, window -- read inside page.evaluate, in the browser */
import { readFileSync } from "node:fs";
import { ACCESS_TOKEN_SECONDS, expect, finish, flow, launch, mouseDrag, signUp } from "./runner.mjs";

const base = process.argv[2];

const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
const page = await context.newPage();
page.setDefaultTimeout(15000);
const username = `e2e${Date.now()}`;
const password = "a long enough passphrase";

// The server prints the mails it sends (console backend) into this log; the flows follow their links.
const mailLog = process.env.TMS_E2E_MAIL_LOG;
let mailRead = 0;
async function nextMailLink(path) {
  const pattern = new RegExp(`https?://[^\\s/]+(/${path}\\?[^\\s]+)`);
  for (let attempt = 0; attempt < 100; attempt++) {
    const match = pattern.exec(readFileSync(mailLog, "utf8").slice(mailRead));
    if (match) {
      mailRead += match.index + match[0].length;
      return base + match[1];
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no mail with a /${path} link arrived`);
}

// The sidebar's lists and pages, and the List/Board switch of a list.
const lists = (tab = page) => tab.getByRole("navigation", { name: "Lists" });
const nav = (name, tab = page) => lists(tab).getByRole("link", { name, exact: true });
const view = (name, tab = page) => tab.getByRole("group", { name: "View" }).getByRole("link", { name, exact: true });
/** Choose `item` in the menu of the task titled `title`. */
async function taskMenu(tab, title, item) {
  await tab.getByRole("button", { name: `Actions for ${title}`, exact: true }).click();
  await tab.getByRole("menuitem", { name: item, exact: true }).click();
}
/** Close the task panel (Esc), back to the list behind it. */
async function closePanel(tab = page) {
  await tab.keyboard.press("Escape");
  await tab.getByRole("dialog").waitFor({ state: "detached" });
}

async function signIn() {
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

await flow("register, then signed in", async () => {
  await page.goto(base);
  await page.getByRole("button", { name: "No account yet? Create one" }).click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText(/too short/).waitFor(); // the API's message, next to the field
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
});

await flow("create and edit a task", async () => {
  await page.getByRole("button", { name: "New task" }).click();
  await page.getByRole("textbox", { name: "Title" }).fill("Write the report");
  await page.getByRole("combobox", { name: "Priority" }).selectOption("high");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("article", { name: "Write the report" }).waitFor();
  await page.getByRole("button", { name: "New task" }).click();
  await page.getByRole("textbox", { name: "Title" }).fill("Book the venue");
  await page.getByRole("textbox", { name: "Description" }).fill("Ask for **two** rooms: <b>not bold</b>");
  await page.getByRole("button", { name: "Save" }).click();
  await taskMenu(page, "Book the venue", "Edit");
  await page.getByRole("textbox", { name: "Title" }).fill("Book the venue for Friday");
  await page.getByRole("button", { name: "Save" }).click();
  // the panel shows the task as it now reads: the description as Markdown, markup as text
  const details = page.getByRole("article", { name: "Details of Book the venue for Friday" });
  await details.locator("strong", { hasText: "two" }).waitFor();
  expect((await details.locator("b").count()) === 0, "raw HTML in a description was rendered");
  expect(new URL(page.url()).pathname.startsWith("/tasks/"), `the task has no URL of its own: ${page.url()}`);
  await closePanel();
  await page.getByRole("article", { name: "Book the venue for Friday" }).waitFor();
});

await flow("move on the board: keyboard (the card's menu) and drag and drop", async () => {
  await view("Board").click();
  const inProgress = page.locator('[data-status="in_progress"]');
  await taskMenu(page, "Write the report", "Move to In progress");
  await inProgress.getByRole("article", { name: "Write the report" }).waitFor();
  const card = page.locator('[data-status="todo"] .card').filter({ has: page.getByRole("article", { name: "Book the venue for Friday" }) });
  await mouseDrag(page, card, inProgress.getByRole("article", { name: "Write the report" }));
  await inProgress.getByRole("article", { name: "Book the venue for Friday" }).waitFor();
});

await flow("complete a task", async () => {
  await page.getByRole("checkbox", { name: "Complete Book the venue for Friday" }).click();
  await page.locator('[data-status="done"]').getByRole("article", { name: "Book the venue for Friday" }).waitFor();
});

await flow("trash and restore", async () => {
  await taskMenu(page, "Write the report", "Move to trash");
  await page.getByRole("article", { name: "Write the report" }).waitFor({ state: "detached" });
  await nav("Trash").click();
  await page.getByRole("button", { name: "Restore Write the report" }).click();
  await nav("All tasks").click();
  await page.getByRole("article", { name: "Write the report" }).waitFor();
});

await flow("a reload keeps the session", async () => {
  await page.reload();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  await page.getByRole("article", { name: "Write the report" }).waitFor();
});

await flow("an expired access token is refreshed silently", async () => {
  let refreshed = 0;
  page.on("response", (response) => {
    if (response.url().endsWith("/api/auth/refresh/") && response.status() === 200) refreshed += 1;
  });
  // past the lifetime and the server's 5-second leeway
  await page.waitForTimeout((ACCESS_TOKEN_SECONDS + 7) * 1000);
  await page.getByRole("button", { name: "New task" }).click();
  await page.getByRole("textbox", { name: "Title" }).fill("Made after the token expired");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("article", { name: "Made after the token expired" }).waitFor();
  expect(refreshed >= 1, "no silent refresh happened");
  expect(await page.getByRole("button", { name: "Sign out" }).isVisible(), "the user was signed out");
});

await flow("sign out, and the session is gone after a reload", async () => {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await page.reload();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await signIn();
  await page.getByRole("button", { name: "Sign out" }).click();
});

await flow("works at phone width", async () => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto(base);
  await signIn();
  await view("Board").click();
  const box = await page.locator('[data-status="todo"]').boundingBox();
  expect(box && box.width <= 390, "the board does not fit a phone");
});

await flow("change the email: the new address confirms, the old one undoes it", async () => {
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto(base);
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  await nav("Account").click();
  const form = page.getByRole("form", { name: "Change email" });
  await form.getByLabel("New email").fill(`${username}.new@example.com`);
  await form.getByLabel("Current password").fill("not my password");
  await form.getByRole("button", { name: "Change email" }).click();
  await form.getByText("The password is incorrect.").waitFor(); // a stolen session alone cannot do it
  await form.getByLabel("Current password").fill(password);
  await form.getByRole("button", { name: "Change email" }).click();
  await form.getByText(/confirmation link is on its way/).waitFor();
  // the link in the mail to the new address
  await page.goto(await nextMailLink("confirm-email"));
  await page.getByRole("button", { name: "Confirm address" }).click();
  await page.getByText(`Your account now uses ${username}.new@example.com.`).waitFor();
  // the old address is told, with a way back
  await page.goto(await nextMailLink("revert-email"));
  await page.getByRole("button", { name: "Undo the change" }).click();
  await page.getByText(/email address is restored/).waitFor();
  await page.goto(base);
  await page.getByRole("button", { name: "Sign in" }).waitFor(); // every session ended
});

await flow("forgot password: the mailed link sets a new one", async () => {
  const newPassword = "another long passphrase";
  await page.goto(base);
  await page.getByRole("button", { name: "Forgot password?" }).click();
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByRole("button", { name: "Mail me a link" }).click();
  await page.getByText(/reset link is on its way/).waitFor();
  // the undo above mailed a reset link first; the second one is the one just asked for
  await nextMailLink("reset-password");
  const link = await nextMailLink("reset-password");
  await page.goto(link);
  await page.getByLabel(/New password/).fill(newPassword);
  await page.getByRole("button", { name: "Set password" }).click();
  await page.getByText(/Your password is changed/).waitFor();
  await page.goto(base);
  await page.getByLabel("Username or email").fill(username);
  await page.getByLabel("Password").fill(newPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
});

// A second person: a fresh browser context, registered through the app like the first.
async function newAccount(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const tab = await context.newPage();
  tab.setDefaultTimeout(15000);
  await signUp(tab, base, { username: name, password });
  return { context, tab };
}

await flow("share a project: the member sees it, is assigned a task, comments, and loses access when removed", async () => {
  const ann = await newAccount(`${username}ann`);
  const benName = `${username}ben`;
  const ben = await newAccount(benName);
  const a = ann.tab;
  const b = ben.tab;
  try {
    // Ann creates a project and shares it with Ben as an editor
    await a.getByRole("button", { name: "New project" }).click();
    await a.getByLabel("Project name").fill("Launch");
    await a.getByRole("button", { name: "Create project" }).click();
    await a.getByRole("heading", { name: "Launch" }).waitFor();
    await a.getByRole("button", { name: "Members" }).click();
    await a.getByLabel("Username or email").fill(benName);
    await a.getByRole("combobox", { name: "Role" }).selectOption("editor");
    await a.getByRole("button", { name: "Invite" }).click();
    await a.getByRole("combobox", { name: `Role of ${benName}` }).waitFor();

    // Ben sees it
    await b.reload();
    await nav("Launch", b).click();
    await b.getByRole("region", { name: "Project Launch" }).getByText("Editor").waitFor();

    // Ann assigns Ben a task in it
    await a.getByRole("button", { name: "New task" }).click();
    await a.getByRole("textbox", { name: "Title" }).fill("Write the press release");
    await a.getByRole("checkbox", { name: benName }).click();
    await a.getByRole("button", { name: "Save" }).click();
    await a.getByRole("article", { name: "Write the press release" }).getByText(`Assigned: ${benName}`).waitFor();

    // Ben finds it assigned to him, and comments on it
    await nav("Assigned to me", b).click();
    await b.getByRole("article", { name: "Write the press release" }).waitFor();
    await nav("Launch", b).click();
    await b.getByRole("link", { name: "Write the press release" }).click();
    await b.getByRole("textbox", { name: "Comment" }).fill("On it.\n<b>draft</b> by Friday");
    await b.getByRole("button", { name: "Add comment" }).click();
    const comment = b.getByRole("listitem", { name: `Comment by ${benName}` });
    expect(
      (await comment.locator(".comment-body").textContent()) === "On it.\n<b>draft</b> by Friday",
      "the comment is not shown as typed",
    );

    // Ann reads the comment, then removes Ben
    await a.getByRole("link", { name: "Write the press release" }).click();
    await a.getByRole("listitem", { name: `Comment by ${benName}` }).waitFor();
    await closePanel(a);
    await a.getByRole("button", { name: `Remove ${benName}` }).click();
    await a.getByRole("button", { name: `Remove ${benName}` }).waitFor({ state: "detached" });

    // Ben's next request is refused: the task answers 404, the app says so, and the project is gone
    await b.getByRole("textbox", { name: "Comment" }).fill("Still there?");
    await b.getByRole("button", { name: "Add comment" }).click();
    await b.getByRole("alert").getByText("This task no longer exists, or you no longer have access to it.").waitFor();
    await closePanel(b);
    await b.getByText("This project is no longer available to you").waitFor();
    expect((await nav("Launch", b).count()) === 0, "the project is still in Ben's sidebar");
    await b.reload();
    await nav("Inbox", b).waitFor();
    expect((await nav("Launch", b).count()) === 0, "the project is back in Ben's sidebar after a reload");
  } finally {
    await ann.context.close();
    await ben.context.close();
  }
});

await flow("board: a card dropped between two cards that share a position (seed_demo's data) moves there", async () => {
  // run-e2e.py seeds the demo account and gives its Inbox's to-do tasks one position, as tasks
  // created in the same millisecond get. A tall window: the whole column in view, no scrolling mid-drag.
  const context = await browser.newContext({ viewport: { width: 1280, height: 2400 } });
  const tab = await context.newPage();
  tab.setDefaultTimeout(15000);
  try {
    await tab.goto(base);
    await tab.getByLabel("Username or email").fill("demo");
    await tab.getByLabel("Password").fill("demo-password-123");
    await tab.getByRole("button", { name: "Sign in" }).click();
    // the Inbox's board: a move stays on one board (a project's, or the Inbox)
    await nav("Inbox", tab).click();
    await view("Board", tab).click();
    const todo = tab.locator('[data-status="todo"]');
    await todo.getByRole("article").first().waitFor();
    const titles = async () => todo.getByRole("article").evaluateAll((cards) => cards.map((c) => c.getAttribute("aria-label")));
    const before = await titles();
    const last = before[before.length - 1];
    // drop the last card onto the second one: between the first and the second, which share a position
    const card = (title) => todo.locator(".card").filter({ has: tab.getByRole("article", { name: title, exact: true }) });
    await mouseDrag(tab, card(last), card(before[1]));
    const second = todo.getByRole("article").nth(1);
    await second.and(tab.getByRole("article", { name: last, exact: true })).waitFor();
    const after = await titles();
    expect(after[0] === before[0] && after[1] === last, `the card is not second: ${after.join(", ")}`);
    expect((await tab.getByText("Some fields are invalid.").count()) === 0, "the move was refused");
    // and the order holds after a reload (the server renumbered the column)
    await tab.reload(); // the Inbox's board again: the URL keeps both
    await todo.getByRole("article").first().waitFor();
    expect((await titles()).join("|") === after.join("|"), "the order changed after a reload");
  } finally {
    await context.close();
  }
});

/** Whether the page is no wider than the window: nothing pushes it sideways. */
const fitsWidth = (tab) => tab.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const pageWidth = (tab) => tab.evaluate(() => `${document.documentElement.scrollWidth} px in ${window.innerWidth} px`);

await flow("a long unbroken title wraps: the page keeps its width, and the panel's Save stays on a phone screen", async () => {
  const { context, tab } = await newAccount(`${username}wrap`);
  const title = `https://example.com/${"a".repeat(180)}`; // 200 characters, the most a title takes
  const description = `https://example.com/${"b".repeat(280)}`;
  try {
    await tab.getByRole("button", { name: "New task" }).click();
    await tab.getByRole("textbox", { name: "Title" }).fill(title);
    await tab.getByRole("textbox", { name: "Description" }).fill(description);
    await tab.getByRole("button", { name: "Save" }).click();
    await tab.getByRole("article", { name: title }).waitFor();
    for (const width of [1280, 390]) {
      await tab.setViewportSize({ width, height: 800 });
      await tab.goto(`${base}/`);
      await tab.getByRole("article", { name: title }).waitFor();
      expect(await fitsWidth(tab), `the list at ${width} px: ${await pageWidth(tab)}`);
      await taskMenu(tab, title, "History");
      const history = tab.getByRole("region", { name: `History of ${title}` });
      await history.getByText(/created/i).waitFor();
      expect(await fitsWidth(tab), `the history at ${width} px: ${await pageWidth(tab)}`);
      const box = await history.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= width + 1, `the history is off-screen at ${width} px: ${JSON.stringify(box)}`);
      await closePanel(tab);
      await tab.goto(`${base}/board`);
      await tab.locator('[data-status="todo"]').getByRole("article", { name: title }).waitFor();
      expect(await fitsWidth(tab), `the board at ${width} px: ${await pageWidth(tab)}`);
      await taskMenu(tab, title, "Edit");
      const save = tab.getByRole("dialog").getByRole("button", { name: "Save" });
      await save.scrollIntoViewIfNeeded();
      expect(await fitsWidth(tab), `the panel at ${width} px: ${await pageWidth(tab)}`);
      const saveBox = await save.boundingBox();
      expect(
        saveBox && saveBox.x >= 0 && saveBox.x + saveBox.width <= width && saveBox.y >= 0 && saveBox.y + saveBox.height <= 800,
        `Save is outside the ${width} px window: ${JSON.stringify(saveBox)}`,
      );
      await closePanel(tab);
    }
  } finally {
    await context.close();
  }
});

await flow("10,000 pasted characters: the title keeps 200 and says the rest was cut", async () => {
  const { context, tab } = await newAccount(`${username}paste`);
  try {
    await tab.getByRole("button", { name: "New task" }).click();
    const field = tab.getByRole("textbox", { name: "Title" });
    await field.fill("x".repeat(10000));
    const note = tab.getByRole("status").filter({ hasText: "Titles are at most 200 characters; the rest was cut." });
    await note.waitFor();
    expect((await field.inputValue()).length === 200, "the title does not keep its first 200 characters");
    const described = (await field.getAttribute("aria-describedby")) ?? "";
    expect(described.split(" ").includes(await note.getAttribute("id")), "the note is not tied to the field");
    await field.fill("A short title");
    await note.waitFor({ state: "detached" });
  } finally {
    await context.close();
  }
});

await flow("the task dialog by keyboard: Tab stays inside, Esc closes it unsaved, focus returns to the opener", async () => {
  const { context, tab } = await newAccount(`${username}keys`);
  const focusedInDialog = () => tab.evaluate(() => Boolean(document.activeElement?.closest('[role="dialog"]')));
  try {
    await tab.getByRole("button", { name: "New task" }).focus();
    await tab.keyboard.press("Enter");
    const dialog = tab.getByRole("dialog", { name: "New task" });
    await dialog.waitFor();
    await tab.keyboard.type("Never saved");
    // Tab on past the last control (Cancel; the date field holds several stops) until the focus is back on the title
    const onTitle = () => tab.evaluate(() => document.activeElement?.id === "title");
    let cycled = false;
    for (let step = 1; step <= 30 && !cycled; step++) {
      await tab.keyboard.press("Tab");
      expect(await focusedInDialog(), `Tab ${step} left the dialog`);
      cycled = await onTitle();
    }
    expect(cycled, "Tab never came back round to the title");
    await tab.getByRole("textbox", { name: "Title" }).focus();
    await tab.keyboard.press("Shift+Tab");
    expect(await focusedInDialog(), "Shift+Tab from the first field left the dialog");
    await tab.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(
      await tab.evaluate(() => document.activeElement?.textContent?.includes("New task")),
      "focus did not return to the New task button",
    );
    await tab.getByRole("button", { name: "Sign out" }).waitFor();
    expect((await tab.getByRole("article", { name: "Never saved" }).count()) === 0, "Esc saved the task");
  } finally {
    await context.close();
  }
});

await flow("a reload keeps the view and the list: the Inbox's board comes back", async () => {
  const { context, tab } = await newAccount(`${username}place`);
  try {
    await nav("Inbox", tab).click();
    await view("Board", tab).click();
    await tab.getByRole("region", { name: "Board" }).waitFor();
    await tab.reload();
    await tab.getByRole("region", { name: "Board" }).waitFor();
    expect((await view("Board", tab).getAttribute("aria-current")) === "page", "Board is not marked current");
    expect((await nav("Inbox", tab).getAttribute("aria-current")) === "page", "the Inbox is not the list shown");
    await nav("Trash", tab).click();
    await tab.getByRole("heading", { name: "Trash" }).waitFor();
    await tab.reload();
    await tab.getByRole("heading", { name: "Trash" }).waitFor();
    expect(new URL(tab.url()).pathname === "/trash", `the trash is not at /trash: ${tab.url()}`);
  } finally {
    await context.close();
  }
});

await finish(browser, "e2e");
