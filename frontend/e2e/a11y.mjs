// Accessibility of every main view, light and dark: axe-core in headless Chromium against a running TMS.
// Usage: node e2e/a11y.mjs BASE_URL
// Fails on any violation of impact serious or critical; prints the rule, its impact and the elements.
import { AxeBuilder } from "@axe-core/playwright";
import { apiClient, launch, trackRequests } from "./runner.mjs";

// The views, by URL. `{task}`, `{project}` and `{label}` are ids of the seeded data; `open` runs after
// the page has loaded, for a state a URL does not reach.
const VIEWS = [
  { name: "sign-in", path: "/", signedIn: false },
  {
    name: "register",
    path: "/",
    signedIn: false,
    open: (page) => page.getByRole("button", { name: "No account yet? Create one" }).click(),
  },
  { name: "reset-password", path: "/reset-password?uid=MQ&token=a11y-check", signedIn: false },
  { name: "front", path: "/", signedIn: true },
  { name: "inbox", path: "/inbox", signedIn: true },
  { name: "today", path: "/today", signedIn: true },
  { name: "upcoming", path: "/upcoming", signedIn: true },
  { name: "board", path: "/board", signedIn: true },
  { name: "project", path: "/projects/{project}", signedIn: true },
  { name: "label", path: "/label/{label}", signedIn: true },
  { name: "trash", path: "/trash", signedIn: true },
  { name: "labels", path: "/labels", signedIn: true },
  { name: "data", path: "/data", signedIn: true },
  { name: "account", path: "/account", signedIn: true },
  { name: "task", path: "/tasks/{task}", signedIn: true },
  { name: "calendar-month", path: "/calendar?view=month", signedIn: true },
  { name: "calendar-week", path: "/calendar?view=week", signedIn: true },
  { name: "notification-settings", path: "/settings/notifications", signedIn: true },
  { name: "security", path: "/settings/security", signedIn: true },
  { name: "access-tokens", path: "/settings/tokens", signedIn: true },
  {
    name: "access-tokens-new",
    path: "/settings/tokens",
    signedIn: true,
    open: (page) => page.getByRole("button", { name: "New token" }).click(),
  },
  { name: "webhooks", path: "/settings/webhooks", signedIn: true },
  {
    name: "webhooks-new",
    path: "/settings/webhooks",
    signedIn: true,
    open: (page) => page.getByRole("button", { name: "New webhook" }).click(),
  },
  {
    name: "notifications",
    path: "/inbox",
    signedIn: true,
    open: (page) => page.getByRole("button", { name: /^Notifications/ }).click(),
  },
];
const SCHEMES = ["light", "dark"];
const FAILING_IMPACTS = new Set(["serious", "critical"]);

const base = process.argv[2];
if (!base) {
  console.log("usage: node e2e/a11y.mjs BASE_URL");
  process.exit(2);
}
const username = `a11y${Date.now()}`;
const password = "a long enough passphrase";

const browser = await launch();

function isoDay(offset) {
  const day = new Date();
  day.setDate(day.getDate() + offset);
  return day.toISOString().slice(0, 10);
}

const api = apiClient(base);

const TO_DO = [
  "Water the plants",
  "Renew the passport",
  "Sort the receipts",
  "Back up the laptop",
  "Oil the bike chain",
  "Reply to Sam",
  "Order printer ink",
  "Return the library books",
  "Clean the oven",
];

// A new account with a few tasks (due today, later, none; in progress, done; one in the Trash), signed in
// in `context` as the web app would be: the refresh token in its cookie.
async function seededAccount(context) {
  const { request } = context;
  await api(request, "POST", "/api/auth/register/", null, { username, email: `${username}@example.com`, password });
  const { access } = await api(request, "POST", "/api/auth/login/", null, { username, password, use_cookie: true });
  const label = await api(request, "POST", "/api/tasks/labels/", access, { name: "Errands", colour: "#2e7d32" });
  const project = await api(request, "POST", "/api/tasks/projects/", access, { name: "Kitchen", colour: "#1565c0" });
  const tasks = [
    { title: "Write the quarterly report", priority: "high", due_date: isoDay(0), description: "Figures from **March**." },
    { title: "Book the venue", priority: "urgent", due_date: isoDay(3), labels: [label.id] },
    { title: "Call the plumber", labels: [label.id], project: project.id },
    { title: "Choose the tiles", project: project.id, due_date: isoDay(8) },
    { title: "Draft the agenda", status: "in_progress", due_date: isoDay(-2) },
    { title: "Pay the invoice", status: "done" },
    // Two-digit counts on the board: axe cannot judge the contrast of a one-character text
    ...TO_DO.map((title) => ({ title })),
    { title: "An idea for later" },
  ];
  const ids = [];
  for (const task of tasks) ids.push((await api(request, "POST", "/api/tasks/", access, task)).id);
  await api(request, "DELETE", `/api/tasks/${ids.at(-1)}/`, access);
  return { task: ids[0], project: project.id, label: label.id };
}

function describe(violation) {
  const nodes = violation.nodes.map((node) => {
    const why = node.failureSummary?.split("\n").slice(1).join(" ").trim();
    return `      ${node.target.map(String).join(" >>> ")}${why ? `: ${why}` : ""}`;
  });
  return `  ${violation.id} [${violation.impact}] ${violation.help}\n${nodes.join("\n")}`;
}

const results = [];
async function check(context, view, scheme, ids) {
  const name = `${view.name} (${scheme})`;
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  try {
    const settled = trackRequests(page);
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(base + view.path.replace(/\{(\w+)\}/g, (_, key) => String(ids[key])));
    await settled();
    // The state the view is for: signed in (no sign-in button), or a signed-out page's form
    if (view.signedIn) await page.getByRole("button", { name: "Sign in" }).first().waitFor({ state: "detached" });
    else await page.locator("form").first().waitFor();
    if (view.open) {
      await view.open(page);
      await settled();
    }
    await page.waitForTimeout(300); // transitions end
    const { violations, incomplete } = await new AxeBuilder({ page }).analyze();
    const failing = violations.filter((v) => FAILING_IMPACTS.has(v.impact));
    // Reported, not failed on: lesser violations, and what axe could not decide (a colour over an image)
    const others = violations.filter((v) => !FAILING_IMPACTS.has(v.impact)).map((v) => `${v.id} [${v.impact}]`);
    const undecided = incomplete.map((v) => `${v.id} [to review: ${v.nodes.length}]`);
    const note = others.length + undecided.length ? ` (also ${[...others, ...undecided].join(", ")})` : "";
    if (failing.length) {
      results.push(false);
      console.log(`FAIL ${name}: ${failing.length} serious or critical${note}\n${failing.map(describe).join("\n")}`);
    } else {
      results.push(true);
      console.log(`PASS ${name}${note}`);
    }
  } catch (error) {
    results.push(false);
    console.log(`FAIL ${name}: ${error.stack || error}`);
  } finally {
    await page.close();
  }
}

try {
  const signedIn = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const ids = await seededAccount(signedIn);
  const signedOut = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  for (const view of VIEWS) {
    for (const scheme of SCHEMES) await check(view.signedIn ? signedIn : signedOut, view, scheme, ids);
  }
} catch (error) {
  results.push(false);
  console.log(`FAIL set-up: ${error.stack || error}`);
} finally {
  await browser.close();
}

const failed = results.filter((ok) => !ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
