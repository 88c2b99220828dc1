// Two-factor sign-in in headless Chromium (Debian's /usr/bin/chromium) against a running TMS: turned on from
// Settings → Security with the key an authenticator app would read (the codes computed here, RFC 6238), the recovery
// codes shown once and downloaded, then signing in with a code from the "app", with a recovery code, and turning it
// off again. Turning it on asks for the password as well as a code. Each flow registers its own account.
// Usage: node e2e/security.mjs BASE_URL [--only TEXT]
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, finish, flow, launch, signUp } from "./runner.mjs";

const base = process.argv[2];
if (!base) {
  console.log("usage: node e2e/security.mjs BASE_URL");
  process.exit(2);
}

const browser = await launch();
const password = "a long enough passphrase";
const stamp = Date.now().toString(36);

/** The bytes of a base32 (RFC 4648) text, as authenticator apps read the key. */
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = [];
  let bits = 0;
  let value = 0;
  for (const char of text.replace(/[\s=]/g, "").toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** The 30-second step a moment falls in, as TOTP counts them. */
const stepOf = (ms = Date.now()) => Math.floor(ms / 30_000);

/** The 6-digit TOTP of a step (RFC 6238: HMAC-SHA1, dynamic truncation of RFC 4226). */
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** A code for a step after `used`: the server takes a step's code once, so wait for the next one if need be. */
async function freshCode(tab, secret, used) {
  while (stepOf() <= used) await tab.waitForTimeout(250);
  const step = stepOf();
  return { step, code: totp(secret, step) };
}

let accounts = 0;
async function newAccount() {
  accounts += 1;
  const username = `mfa${stamp}n${accounts}`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const tab = await context.newPage();
  tab.setDefaultTimeout(15000);
  await signUp(tab, base, { username, password });
  return { context, tab, username };
}

async function signOut(tab) {
  await tab.getByRole("button", { name: "Sign out" }).click();
  await tab.getByRole("heading", { name: "Sign in" }).waitFor();
}

/** The password step; the app answers with the code step. */
async function passwordStep(tab, username) {
  await tab.getByLabel("Username or email").fill(username);
  await tab.getByLabel("Password", { exact: true }).fill(password);
  await tab.getByRole("button", { name: "Sign in" }).click();
  await tab.getByRole("heading", { name: "Two-factor sign-in" }).waitFor();
}

/** Settings → Security through the Account page's link, then two-factor sign-in turned on; the key and codes. */
async function turnOn(tab) {
  await tab.goto(`${base}/account`);
  await tab.getByRole("navigation", { name: "Security" }).getByRole("link", { name: "Two-factor sign-in" }).click();
  await tab.getByRole("heading", { name: "Security", level: 1 }).waitFor();
  expect(new URL(tab.url()).pathname === "/settings/security", `the Security page is at ${tab.url()}`);
  await tab.getByText("Two-factor sign-in is off.").waitFor();
  await tab.getByRole("button", { name: "Turn on two-factor sign-in" }).click();

  const qr = tab.getByRole("img", { name: "QR code of your two-factor key, for an authenticator app" });
  await qr.waitFor();
  const drawn = await qr.evaluate((img) => img.complete && img.naturalWidth > 0);
  expect(drawn, "the QR code image did not load");
  const secret = (await tab.getByLabel("Key for entering by hand").textContent()).replace(/\s/g, "");
  expect(/^[A-Z2-7]{16,}$/.test(secret), `the key reads ${secret}`);

  await tab.getByLabel("Password", { exact: true }).fill(password);
  const { step, code } = await freshCode(tab, secret, -1);
  await tab.getByLabel("6-digit code from the app").fill(code);
  await tab.getByRole("button", { name: "Confirm" }).click();
  const list = tab.getByRole("list", { name: "Recovery codes" });
  await list.waitFor();
  const codes = (await list.getByRole("listitem").allTextContents()).map((text) => text.trim());
  expect(codes.length === 10, `${codes.length} recovery codes shown`);

  const [download] = await Promise.all([tab.waitForEvent("download"), tab.getByRole("button", { name: "Download (.txt)" }).click()]);
  expect(download.suggestedFilename() === "tms-recovery-codes.txt", `the file is called ${download.suggestedFilename()}`);
  const text = await readFile(await download.path(), "utf8");
  expect(
    codes.every((c) => text.includes(c)),
    "the downloaded file lacks a code",
  );

  await tab.getByRole("button", { name: "I have saved them" }).click();
  await list.waitFor({ state: "detached" });
  await tab.getByText("10 recovery codes left.").waitFor();
  return { secret, codes, enrolledStep: step };
}

await flow("two-factor sign-in: turn on (QR code, key, recovery codes), sign in with a code, then with a recovery code", async () => {
  const { context, tab, username } = await newAccount();
  try {
    const { secret, codes, enrolledStep } = await turnOn(tab);

    await signOut(tab);
    await passwordStep(tab, username);
    const field = tab.getByLabel("6-digit code", { exact: true });
    expect(await field.evaluate((input) => input === input.ownerDocument.activeElement), "the code field does not have the focus");
    await field.fill(totp(secret, stepOf()) === "000000" ? "111111" : "000000");
    await tab.getByRole("button", { name: "Verify" }).click();
    await tab.getByRole("alert").filter({ hasText: "That code is not right." }).waitFor();
    // A code of the step the enrolment used is not taken twice: the next step's code is.
    const { code } = await freshCode(tab, secret, enrolledStep);
    await field.fill(code);
    await tab.getByRole("button", { name: "Verify" }).click();
    await tab.getByRole("button", { name: "Sign out" }).waitFor();
    // Signed in as the password alone would be: the session (its cookie) outlives a reload.
    await tab.reload();
    await tab.getByRole("button", { name: "Sign out" }).waitFor();

    await signOut(tab);
    await passwordStep(tab, username);
    await tab.getByRole("button", { name: "Use a recovery code instead" }).click();
    await tab.getByLabel("Recovery code").fill(codes[0]);
    await tab.getByRole("button", { name: "Verify" }).click();
    await tab.getByRole("button", { name: "Sign out" }).waitFor();
    await tab.goto(`${base}/settings/security`);
    await tab.getByText("9 recovery codes left.").waitFor();
  } finally {
    await context.close();
  }
});

await flow("two-factor sign-in: turned off with the password and a recovery code, signing in asks only for the password", async () => {
  const { context, tab, username } = await newAccount();
  try {
    const { codes } = await turnOn(tab);
    await tab.getByRole("button", { name: "Turn off" }).click();
    const dialog = tab.getByRole("dialog", { name: "Turn off two-factor sign-in?" });
    await dialog.getByLabel("Password").fill(password);
    await dialog.getByLabel("Code from the app, or a recovery code").fill(codes[3]);
    await dialog.getByRole("button", { name: "Turn off" }).click();
    await dialog.waitFor({ state: "detached" });
    await tab.getByText("Two-factor sign-in is off.", { exact: true }).waitFor();

    await signOut(tab);
    await tab.getByLabel("Username or email").fill(username);
    await tab.getByLabel("Password", { exact: true }).fill(password);
    await tab.getByRole("button", { name: "Sign in" }).click();
    await tab.getByRole("button", { name: "Sign out" }).waitFor();
  } finally {
    await context.close();
  }
});

await finish(browser, "security");
