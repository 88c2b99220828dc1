// Screenshots of every main view for the docs: desktop and phone, light and dark, signed in as the demo user.
// Usage: node e2e/screenshots.mjs BASE_URL OUTDIR   (a TMS with `manage.py seed_demo` run; scripts/screenshots.py)
// Writes OUTDIR/<view>-<desktop|phone>-<light|dark>.png.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { apiClient, launch, trackRequests } from "./runner.mjs";

// The views, by URL (the sidebar's, less the project pages, to keep the committed PNGs small). `{task}` and
// `{project}` are ids of the demo's "Write the quarterly report" and its project; `open` runs after the page
// has loaded, for a state a URL does not reach.
const VIEWS = [
  { name: "sign-in", path: "/", signedIn: false },
  { name: "list", path: "/", signedIn: true },
  { name: "today", path: "/today", signedIn: true },
  { name: "upcoming", path: "/upcoming", signedIn: true },
  { name: "board", path: "/board", signedIn: true },
  { name: "trash", path: "/trash", signedIn: true },
  { name: "labels", path: "/labels", signedIn: true },
  { name: "data", path: "/data", signedIn: true },
  { name: "account", path: "/account", signedIn: true },
  { name: "calendar", path: "/calendar", signedIn: true },
  { name: "notifications", path: "/settings/notifications", signedIn: true },
  { name: "task", path: "/tasks/{task}", signedIn: true },
];
const DEVICES = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};
const SCHEMES = ["light", "dark"];
const DEMO = { username: "demo", password: "demo-password-123" }; // tasks/management/commands/seed_demo.py
const TASK_TITLE = "Write the quarterly report";

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.log("usage: node e2e/screenshots.mjs BASE_URL OUTDIR");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const api = apiClient(base);

// Signed in as the app would be (the refresh token in its cookie); the ids the URLs name.
async function signIn(context) {
  const { access } = await api(context.request, "POST", "/api/auth/login/", null, { ...DEMO, use_cookie: true });
  const tasks = await api(context.request, "GET", `/api/tasks/?search=${encodeURIComponent(TASK_TITLE)}`, access);
  const projects = await api(context.request, "GET", "/api/tasks/projects/", access);
  const task = tasks.results.find((t) => t.title === TASK_TITLE);
  if (!task || !projects.results.length) throw new Error("no demo data: run `manage.py seed_demo` first");
  return { task: task.id, project: projects.results[0].id };
}

const browser = await launch();
let failed = 0;
try {
  for (const [device, viewport] of Object.entries(DEVICES)) {
    const signedIn = await browser.newContext({ viewport });
    const signedOut = await browser.newContext({ viewport });
    const ids = await signIn(signedIn);
    for (const view of VIEWS) {
      for (const scheme of SCHEMES) {
        const file = join(outDir, `${view.name}-${device}-${scheme}.png`);
        const page = await (view.signedIn ? signedIn : signedOut).newPage();
        page.setDefaultTimeout(15000);
        try {
          const settled = trackRequests(page);
          await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
          await page.goto(base + view.path.replace(/\{(\w+)\}/g, (_, key) => String(ids[key])));
          await settled();
          if (view.signedIn) await page.getByRole("button", { name: "Sign in" }).first().waitFor({ state: "detached" });
          if (view.open) {
            await view.open(page);
            await settled();
          }
          await page.waitForTimeout(300); // transitions end
          await page.screenshot({ path: file, animations: "disabled", caret: "hide" });
          console.log(`PASS ${file}`);
        } catch (error) {
          failed += 1;
          console.log(`FAIL ${file}: ${error.stack || error}`);
        } finally {
          await page.close();
        }
      }
    }
    await signedIn.close();
    await signedOut.close();
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
