// What every browser-flow script shares: Debian's headless Chromium, named flows that print PASS or FAIL (with
// `--only TEXT` to run the flows whose name contains TEXT), `expect`, and the exit code.
import { chromium } from "playwright-core";

export const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const ACCESS_TOKEN_SECONDS = Number(process.env.TMS_ACCESS_TOKEN_SECONDS || 30);

export function launch() {
  return chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const onlyAt = process.argv.indexOf("--only");
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : null;
const results = [];

/** Run one named flow; a failure is printed with its stack and counted, and the next flow runs. */
export async function flow(name, body) {
  if (only && !name.includes(only)) return;
  const started = Date.now();
  const took = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  try {
    await body();
    results.push(true);
    console.log(`PASS ${name} (${took()})`);
  } catch (error) {
    results.push(false);
    console.log(`FAIL ${name} (${took()}): ${error.stack || error}`);
  }
}

/** Close the browser, print the count under `label`, and exit 1 if any flow failed. */
export async function finish(browser, label) {
  await browser.close();
  const failed = results.filter((ok) => !ok).length;
  console.log(`${label}: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// Until no request has been waiting for its answer for half a second. Not the "networkidle" of goto: an
// answer 401 with WWW-Authenticate (the signed-out start-up refresh) never finishes for it in Chromium.
export function trackRequests(page) {
  const pending = new Set();
  page.on("request", (request) => pending.add(request));
  page.on("response", (response) => pending.delete(response.request()));
  page.on("requestfailed", (request) => pending.delete(request));
  return async function settled() {
    let quietSince = Date.now();
    for (const started = Date.now(); Date.now() - started < 10000;) {
      if (pending.size) quietSince = Date.now();
      else if (Date.now() - quietSince >= 500) return;
      await page.waitForTimeout(50);
    }
  };
}

/** Call TMS's API with a Playwright request context (as `access`, when given); a failure throws with the answer. */
export function apiClient(base) {
  return async function api(request, method, path, access, data) {
    const response = await request.fetch(base + path, {
      method,
      data,
      headers: access ? { Authorization: `Bearer ${access}` } : {},
    });
    if (!response.ok()) throw new Error(`${method} ${path}: ${response.status()} ${await response.text()}`);
    return response.status() === 204 ? null : response.json();
  };
}

/** Sign up through the app's form as a person does (labels in the app's language through `say`), signed in after. */
export async function signUp(tab, base, { username, password, say = (text) => text }) {
  await tab.goto(base);
  await tab.getByRole("button", { name: say("No account yet? Create one") }).click();
  await tab.getByLabel(say("Username"), { exact: true }).fill(username);
  await tab.getByLabel(say("Email"), { exact: true }).fill(`${username}@example.com`);
  await tab.getByLabel(say("Password"), { exact: true }).fill(password);
  await tab.getByRole("button", { name: say("Create account") }).click();
  await tab.getByRole("button", { name: say("Sign out") }).waitFor();
}

/** Drag with the mouse in small steps (dnd-kit starts a drag after 5 px). dnd-kit swallows clicks for 50 ms
 * after a drop (so the drop is not also a click): a person's next click comes later, the next step of a flow must too. */
export async function mouseDrag(tab, from, to) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  await tab.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await tab.mouse.down();
  await tab.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 5 });
  await tab.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 15 });
  await tab.waitForTimeout(150);
  await tab.mouse.up();
  await tab.waitForTimeout(100);
}
