// Access tokens and webhooks in headless Chromium (Debian's /usr/bin/chromium) against a running TMS: a token made
// in Settings → Access tokens is copied from the page and used by a script (reads, may not write, refused once
// revoked); a webhook made in Settings → Webhooks to a receiver this script runs on 127.0.0.1 gets task.created,
// signed with the secret the page showed, when a task is added in the app, and its deliveries page says succeeded.
// The server must allow private webhook addresses (TMS_WEBHOOK_ALLOW_PRIVATE=true) and deliver from its own process
// (TMS_NOTIFICATION_THREAD, on by default when it serves everything). Each flow registers its own account.
// Usage: node e2e/automation.mjs BASE_URL [--only TEXT]
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { expect, finish, flow, launch, signUp } from "./runner.mjs";

const base = process.argv[2];
if (!base) {
  console.log("usage: node e2e/automation.mjs BASE_URL");
  process.exit(2);
}

const browser = await launch();
const password = "a long enough passphrase";
const stamp = Date.now().toString(36);
let accounts = 0;

async function newAccount() {
  accounts += 1;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-GB" });
  // The Copy buttons write to the clipboard; the flow reads it back as a person pastes.
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const tab = await context.newPage();
  tab.setDefaultTimeout(15000);
  await signUp(tab, base, { username: `auto${stamp}n${accounts}`, password });
  return { context, tab };
}

/** Open a settings page through the Account page's links, as a person finds it. */
async function openSettings(tab, link) {
  await tab.goto(`${base}/account`);
  await tab.getByRole("link", { name: link, exact: true }).click();
  await tab.getByRole("heading", { level: 1, name: link }).waitFor();
}

/** What a script sees: Node's own fetch with the token, no browser cookies. */
async function asScript(token, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function waitUntil(what, condition, seconds = 20) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`waited ${seconds} s for ${what}`);
}

await flow(
  "a token with Read tasks, copied from the page: reads tasks (200), may not write (403), refused once revoked (401)",
  async () => {
    const { context, tab } = await newAccount();
    try {
      await openSettings(tab, "Access tokens");
      await tab.getByText("You have no access tokens.").waitFor();
      await tab.getByRole("button", { name: "New token" }).click();
      const dialog = tab.getByRole("dialog", { name: "New access token" });
      await dialog.getByLabel("Name").fill("Reporting script");
      expect(await dialog.getByRole("checkbox", { name: "Read tasks" }).isChecked(), "Read tasks is not ticked by default");
      expect((await dialog.getByLabel("Expires after").inputValue()) === "90", "the expiry is not 90 days by default");
      await dialog.getByLabel("Your password").fill(password);
      await dialog.getByRole("button", { name: "Create token" }).click();

      const shown = tab.getByRole("textbox", { name: "Your new token “Reporting script”" });
      await shown.waitFor();
      await tab.getByText("You will not see it again.", { exact: false }).waitFor();
      const onPage = await shown.inputValue();
      expect(/^tms_pat_[A-Za-z0-9_-]{43}$/.test(onPage), `the page shows ${onPage.slice(0, 12)}…, not a token`);
      await tab.getByRole("button", { name: "Copy", exact: true }).click();
      await tab.getByText("Copied.").waitFor();
      const token = await tab.evaluate(() => navigator.clipboard.readText());
      expect(token === onPage, "the clipboard does not hold the token the page shows");
      const example = await tab.getByRole("figure", { name: "For example, to list your tasks:" }).textContent();
      expect(example.includes(`Bearer ${token}`) && example.includes("/api/tasks/"), `the example is ${example}`);

      const list = await asScript(token, "GET", "/api/tasks/");
      expect(list.status === 200 && Array.isArray(list.body.results), `GET /api/tasks/ with the token: ${list.status}`);
      const write = await asScript(token, "POST", "/api/tasks/", { title: "Written by a read-only token" });
      expect(write.status === 403, `POST /api/tasks/ with a read-only token: ${write.status} ${JSON.stringify(write.body)}`);
      expect(write.body.error.code === "insufficient_scope", `refused with ${write.body.error.code}`);

      // Once done, the secret is gone from the page; the list names the token by its hint only.
      await tab.getByRole("button", { name: "Done, I have copied it" }).click();
      await tab.reload();
      const row = tab.getByRole("article", { name: "Reporting script" });
      await row.waitFor();
      await row.getByText("Read tasks").waitFor();
      await row.getByText("Last used").waitFor();
      // The script's requests count as a use; 90 days is the default expiry.
      expect((await row.getByText("never", { exact: true }).count()) === 0, "the token is listed as never used after the script used it");
      expect((await row.getByText("never expires").count()) === 0, "the token is listed as never expiring");
      expect(!(await tab.content()).includes(token), "the page still holds the token after a reload");

      await row.getByRole("button", { name: "Revoke Reporting script" }).click();
      await tab.getByRole("dialog", { name: "Revoke “Reporting script”?" }).getByRole("button", { name: "Revoke the token" }).click();
      await tab.getByText("You have no access tokens.").waitFor();
      const after = await asScript(token, "GET", "/api/tasks/");
      expect(after.status === 401, `GET /api/tasks/ with the revoked token: ${after.status}`);
      expect(after.body.error.code === "token_not_valid", `refused with ${after.body.error.code}`);
    } finally {
      await context.close();
    }
  },
);

/** A webhook receiver on 127.0.0.1: every POST kept with its headers and raw body, answered 204. */
async function receiver() {
  const received = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method === "POST") received.push({ headers: request.headers, raw: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(request.method === "POST" ? 204 : 405);
      response.end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    received,
    url: `http://127.0.0.1:${server.address().port}/tms-hook`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Standard Webhooks: v1,base64(HMAC-SHA256(the secret's bytes, "id.timestamp.body")) among the signatures. */
function signedWith(secret, { headers, raw }) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${raw}`).digest();
  return String(headers["webhook-signature"] ?? "")
    .split(" ")
    .some((part) => {
      const [version, signature] = part.split(",");
      const given = Buffer.from(signature ?? "", "base64");
      return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

await flow(
  "a webhook to a receiver on 127.0.0.1 gets task.created, signed with the secret shown once, and its delivery says succeeded",
  async () => {
    const { context, tab } = await newAccount();
    const hook = await receiver();
    try {
      await openSettings(tab, "Webhooks");
      await tab.getByRole("button", { name: "New webhook" }).click();
      const dialog = tab.getByRole("dialog", { name: "New webhook" });
      await dialog.getByLabel("URL").fill(hook.url);
      await dialog.getByLabel("Description (optional)").fill("The flow's receiver");
      expect(await dialog.getByRole("checkbox", { name: "Tasks: created" }).isChecked(), "Tasks: created is not ticked by default");
      await dialog.getByRole("checkbox", { name: "Comments: created" }).check();
      await dialog.getByRole("button", { name: "Create webhook" }).click();
      const shown = tab.getByRole("textbox", { name: `Signing secret of ${hook.url}` });
      await shown.waitFor();
      const secret = await shown.inputValue();
      expect(secret.startsWith("whsec_"), `the page shows ${secret.slice(0, 8)}…, not a signing secret`);
      await tab.getByRole("button", { name: "Done, I have copied it" }).click();
      const row = tab.getByRole("article", { name: hook.url });
      await row.getByText("Active", { exact: true }).waitFor();
      await row.getByText("comment.created").waitFor();

      // A task added in the app, with quick add.
      const title = `Webhook check ${stamp}`;
      await tab.getByRole("link", { name: "Inbox" }).first().click();
      await tab.keyboard.press("q");
      const quickAdd = tab.getByRole("dialog", { name: "Quick add" });
      await quickAdd.waitFor();
      await tab.keyboard.type(title);
      await tab.keyboard.press("Enter");
      await quickAdd
        .getByRole("status")
        .filter({ hasText: `Added “${title}”` })
        .waitFor();
      await tab.keyboard.press("Escape");

      const created = () => hook.received.find((r) => r.raw.includes('"task.created"') && r.raw.includes(title));
      await waitUntil("the receiver to get task.created", () => created() !== undefined);
      const delivery = created();
      const body = JSON.parse(delivery.raw);
      expect(body.type === "task.created" && body.data.title === title, `the receiver got ${delivery.raw.slice(0, 200)}`);
      expect(
        signedWith(secret, delivery),
        `the signature ${delivery.headers["webhook-signature"]} is not made with the secret the page showed`,
      );

      // The deliveries page: newest first, succeeded (it asks again while one is pending; Refresh does too).
      await openSettings(tab, "Webhooks");
      await tab.getByRole("link", { name: `Deliveries to ${hook.url}` }).click();
      const entry = tab.getByRole("list", { name: "Deliveries" }).getByRole("article").filter({ hasText: "task.created" }).first();
      await waitUntil("the delivery to show succeeded", async () => {
        if ((await entry.count()) && (await entry.getByText("succeeded", { exact: true }).count())) return true;
        await tab.getByRole("button", { name: "Refresh" }).click();
        await tab.waitForTimeout(500);
        return false;
      });
      await entry.getByText("Last answer: HTTP 204", { exact: false }).waitFor();
      await entry.getByText("Payload").click();
      await entry.locator("pre").filter({ hasText: title }).waitFor();

      // Redeliver: the receiver gets the same message (webhook-id) again.
      const before = hook.received.filter((r) => r.headers["webhook-id"] === delivery.headers["webhook-id"]).length;
      await entry.getByRole("button", { name: "Redeliver" }).click();
      await tab.getByText("The delivery is sent again.").waitFor();
      await waitUntil(
        "the receiver to get the delivery again",
        () => hook.received.filter((r) => r.headers["webhook-id"] === delivery.headers["webhook-id"]).length > before,
      );
    } finally {
      await hook.close();
      await context.close();
    }
  },
);

await finish(browser, "automation");
