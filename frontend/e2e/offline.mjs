// Offline and multi-tab flows in headless Chromium (Debian's /usr/bin/chromium) against a running TMS.
// Usage: node e2e/offline.mjs BASE_URL
// A task made offline is listed at once and reaches the server exactly once when the network is back; two
// tabs whose access tokens expire together stay signed in (one refresh, shared; the rotated refresh token
// is never presented twice, which would end the session).
/* global document -- read inside page.evaluate, in the browser */
import { request as apiRequest } from "playwright-core";
import { ACCESS_TOKEN_SECONDS, apiClient, expect, finish, flow, launch } from "./runner.mjs";

const base = process.argv[2];

const browser = await launch();
const username = `offline${Date.now()}`;
const password = "a long enough passphrase";

const call = apiClient(base);

/** The account's tasks with this title, asked through the API in a session of its own (not the browser's). */
async function tasksTitled(title) {
  const own = await apiRequest.newContext();
  try {
    const { access } = await call(own, "POST", "/api/auth/login/", null, { username, password });
    const page = await call(own, "GET", `/api/tasks/?q=${encodeURIComponent(title)}&page_size=100`, access);
    return page.results.filter((task) => task.title === title);
  } finally {
    await own.dispose();
  }
}

async function eventually(check, message, seconds = 15) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function newTask(page, title) {
  await page.getByRole("button", { name: "New task" }).first().click();
  await page.getByRole("textbox", { name: "Title" }).fill(title);
  await page.getByRole("button", { name: "Save" }).click();
}

const signedIn = (page) => page.getByRole("button", { name: "Sign out" }).waitFor();

await flow("a visit without a session asks for no refresh, so no 401 in the console", async () => {
  const visitor = await browser.newContext();
  try {
    const page = await visitor.newPage();
    const asked = [];
    const errors = [];
    page.on("request", (request) => request.url().endsWith("/api/auth/refresh/") && asked.push(request));
    page.on("console", (message) => message.type() === "error" && /401/.test(message.text()) && errors.push(message.text()));
    await page.goto(base);
    await page.waitForLoadState("networkidle");
    await page.waitForTimeout(500);
    expect(asked.length === 0, `${asked.length} refresh requests without a session`);
    expect(errors.length === 0, `console: ${errors.join(" | ")}`);
  } finally {
    await visitor.close();
  }
});

// The account, signed in in the browser's context as the web app would be: the refresh cookie and its marker.
const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
await call(context.request, "POST", "/api/auth/register/", null, { username, email: `${username}@example.com`, password });
await call(context.request, "POST", "/api/auth/login/", null, { username, password, use_cookie: true });

const page = await context.newPage();
page.setDefaultTimeout(15000);
const refreshes = [];
const expired = []; // the task calls answered 401, by tab
context.on("response", (response) => {
  if (response.url().endsWith("/api/auth/refresh/")) refreshes.push(response.status());
  else if (response.url().includes("/api/tasks/") && response.status() === 401) expired.push(response.frame().page());
});

await flow("signed in from the refresh cookie at start-up", async () => {
  const listed = page.waitForResponse((response) => /\/api\/tasks\/\?/.test(response.url()) && response.ok());
  await page.goto(base);
  await signedIn(page);
  await listed; // a list seen once online is what shows offline
});

await flow("the service worker has the app shell and controls the page", async () => {
  // Before it does, going offline loses whatever the app has not loaded yet (the task editor's code).
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  expect(scope === `${base}/`, `the service worker's scope is ${scope}`);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  const manifest = await page.evaluate(async () => {
    const link = document.querySelector('link[rel="manifest"]');
    return link ? (await fetch(link.href)).json() : null;
  });
  expect(manifest?.name === "TMS" && manifest.icons.length > 0, "the page links no manifest with TMS's name and icons");
});

await flow("a task made offline is listed, and sent exactly once when back online", async () => {
  const title = `Made offline ${Date.now()}`;
  await context.setOffline(true);
  try {
    await page.waitForTimeout(500); // the page hears it is offline (and may say so, moving things) first
    await newTask(page, title);
    await page.getByText(title).first().waitFor();
    expect((await tasksTitled(title)).length === 0, "the server has the task while the browser is offline");
  } finally {
    await context.setOffline(false);
  }
  await eventually(async () => (await tasksTitled(title)).length > 0, "the task never reached the server");
  // a reload (its start-up send of what is left) must not send it again
  await page.reload();
  await signedIn(page);
  await page.getByText(title).first().waitFor();
  await page.waitForTimeout(1000);
  const found = await tasksTitled(title);
  expect(found.length === 1, `the server has ${found.length} tasks titled ${title}`);
});

await flow("two tabs meeting an expired access token at once both stay signed in", async () => {
  const second = await context.newPage();
  second.setDefaultTimeout(15000);
  await second.goto(base);
  await signedIn(second);
  await signedIn(page);
  // past the access token's lifetime and the server's 5-second leeway, in both tabs
  await second.waitForTimeout((ACCESS_TOKEN_SECONDS + 7) * 1000);
  // A slow refresh: whichever tab refreshes first, the other's request meets its 401 meanwhile.
  await context.route("**/api/auth/refresh/", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  const before = refreshes.length;
  const expiredBefore = expired.length;
  const [one, two] = [`First tab ${Date.now()}`, `Second tab ${Date.now()}`];
  await Promise.all([newTask(page, one), newTask(second, two)]);
  await Promise.all([page.getByText(one).first().waitFor(), second.getByText(two).first().waitFor()]);
  const during = refreshes.slice(before);
  const tabsExpired = new Set(expired.slice(expiredBefore)).size;
  console.log(`     tabs answered 401: ${tabsExpired}; refreshes: ${during.join(", ") || "none"}`);
  expect(tabsExpired === 2, `${tabsExpired} tab(s) met the expired token`);
  expect(during.length === 1 && during[0] === 200, `refreshes: ${during.join(", ")} (one, shared, was expected)`);
  await context.unroute("**/api/auth/refresh/");
  await signedIn(page);
  await signedIn(second);
  expect((await tasksTitled(one)).length === 1 && (await tasksTitled(two)).length === 1, "a tab's task is missing");
  // the session is still valid: a reload of either tab restores it from the cookie
  await second.reload();
  await signedIn(second);
  await page.reload();
  await signedIn(page);
  await page.getByText(two).first().waitFor(); // and lists what the other tab made
});

await flow("a reload without a network opens the app on the tasks last seen, and a task added then is sent once", async () => {
  const title = `Added after an offline reload ${Date.now()}`;
  await page.goto(base);
  await signedIn(page);
  await page.getByRole("article").first().waitFor(); // the list seen online
  const seen = await page.getByRole("article").first().getAttribute("aria-label");
  await context.setOffline(true);
  try {
    await page.reload(); // the service worker serves the shell; the session cannot be refreshed
    await signedIn(page);
    await page.getByRole("article", { name: seen, exact: true }).waitFor();
    await page.getByText(/You are offline/).waitFor();
    await newTask(page, title);
    await page.getByText(title).first().waitFor();
  } finally {
    await context.setOffline(false);
  }
  await eventually(async () => (await tasksTitled(title)).length === 1, "the task added offline never reached the server once");
  await signedIn(page); // the session, checked once online, is still good
});

await finish(browser, "offline");
