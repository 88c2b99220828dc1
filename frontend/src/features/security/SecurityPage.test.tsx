import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderInApp } from "../../test-app";
import { apiError, respond, stubRoutes } from "../../test-support";
import type { TwoFactorState } from "./api";
import { groupSecret, qrImageSource } from "./secret";
import { SecurityPage } from "./SecurityPage";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const OFF: TwoFactorState = { enabled: false, confirmed_at: null, recovery_codes_left: 0 };
const ON: TwoFactorState = { enabled: true, confirmed_at: "2026-11-20T09:30:00Z", recovery_codes_left: 10 };
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const QR = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29"><path d="M4 4h7v7H4z"/></svg>';
const CODES = Array.from({ length: 10 }, (_, i) => `abcd${i}-efgh${i}`);

/** The API with a two-factor state that the confirm and disable calls change, as the server's does. */
function routes(start: TwoFactorState, extra: Record<string, Response | ((body: unknown) => Response)> = {}) {
  let state = start;
  return stubRoutes({
    "GET /api/auth/2fa/": () => respond(200, state),
    "POST /api/auth/2fa/totp/": respond(201, {
      secret: SECRET,
      otpauth_uri: `otpauth://totp/TMS:ada?secret=${SECRET}&issuer=TMS`,
      qr_svg: QR,
    }),
    "POST /api/auth/2fa/totp/confirm/": (body) => {
      const { password, code } = body as { password: string; code: string };
      if (password !== "correct horse battery") {
        return apiError(400, "invalid", "Some fields are invalid.", { password: ["The password is incorrect."] });
      }
      if (code !== "123456") return apiError(400, "invalid_code", "The code is not valid.");
      state = { ...ON, recovery_codes_left: 10 };
      return respond(200, { recovery_codes: CODES });
    },
    "POST /api/auth/2fa/totp/disable/": (body) => {
      if ((body as { code: string }).code !== "654321") return apiError(400, "invalid_code", "The code is not valid.");
      state = OFF;
      return respond(204);
    },
    ...extra,
  });
}

describe("the security page", () => {
  it("turns two-factor sign-in on: QR code as an image, the key to type, a code to confirm, the recovery codes once", async () => {
    const api = routes(OFF);
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    renderInApp(<SecurityPage />);
    expect(await screen.findByText("Two-factor sign-in is off.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Turn on two-factor sign-in" }));

    const qr = await screen.findByRole("img", { name: "QR code of your two-factor key, for an authenticator app" });
    expect(qr).toHaveAttribute("src", "data:image/svg+xml;utf8," + encodeURIComponent(QR));
    expect(document.querySelector("main svg, section svg")).toBeNull(); // never put in the page as markup
    expect(screen.getByLabelText("Key for entering by hand")).toHaveTextContent("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
    await userEvent.click(screen.getByRole("button", { name: "Copy key" }));
    expect(writeText).toHaveBeenCalledWith(SECRET);

    const enrolPassword = screen.getByLabelText("Password");
    expect(enrolPassword).toHaveAttribute("autocomplete", "current-password");
    await userEvent.type(enrolPassword, "wrong");
    const code = screen.getByLabelText("6-digit code from the app");
    await userEvent.type(code, "123456");
    await userEvent.click(screen.getByRole("button", { name: "Confirm" }));
    expect(await screen.findByText("The password is incorrect.")).toHaveAttribute("id", "password-error");
    await userEvent.clear(enrolPassword);
    await userEvent.type(enrolPassword, "correct horse battery");
    await userEvent.clear(code);
    expect(code).toHaveAttribute("inputmode", "numeric");
    expect(code).toHaveAttribute("autocomplete", "one-time-code");
    await userEvent.type(code, "111111");
    await userEvent.click(screen.getByRole("button", { name: "Confirm" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(/^That code is not right\./);

    await userEvent.clear(code);
    await userEvent.type(code, "123456");
    await userEvent.click(screen.getByRole("button", { name: "Confirm" }));
    const list = await screen.findByRole("list", { name: "Recovery codes" });
    expect(
      within(list)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual(CODES);
    expect(api.calls("POST", "/api/auth/2fa/totp/confirm/").map((call) => call.body)).toEqual([
      { password: "wrong", code: "123456" },
      { password: "correct horse battery", code: "111111" },
      { password: "correct horse battery", code: "123456" },
    ]);

    await userEvent.click(screen.getByRole("button", { name: "Copy" }));
    expect(writeText).toHaveBeenLastCalledWith(CODES.join("\n"));
    const blobs: Blob[] = [];
    vi.stubGlobal("URL", { ...URL, createObjectURL: (blob: Blob) => (blobs.push(blob), "blob:codes"), revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    await userEvent.click(screen.getByRole("button", { name: "Download (.txt)" }));
    expect(click).toHaveBeenCalledTimes(1);
    expect(click.mock.contexts[0]).toHaveAttribute("download", "tms-recovery-codes.txt");
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader(); // jsdom's Blob has no text()
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(blobs[0]);
    });
    expect(text.split("\n")).toEqual(["TMS recovery codes for ada (each works once)", "", ...CODES, ""]);

    await userEvent.click(screen.getByRole("button", { name: "I have saved them" }));
    expect(screen.queryByRole("list", { name: "Recovery codes" })).not.toBeInTheDocument();
    expect(await screen.findByText("10 recovery codes left.")).toBeInTheDocument();
    expect(screen.getByText("Two-factor sign-in is on.", { selector: "strong" })).toBeInTheDocument();
  });

  it("warns when three or fewer recovery codes are left, and makes new ones with the password and a code", async () => {
    const api = routes(
      { ...ON, recovery_codes_left: 2 },
      { "POST /api/auth/2fa/recovery-codes/": respond(200, { recovery_codes: CODES }) },
    );
    renderInApp(<SecurityPage />);
    const left = await screen.findByText(/^2 recovery codes left\./);
    expect(left).toHaveTextContent("Make new ones before they run out");
    expect(left).toHaveClass("few");

    await userEvent.click(screen.getByRole("button", { name: "New recovery codes" }));
    const dialog = await screen.findByRole("dialog", { name: "Make new recovery codes?" });
    expect(within(dialog).getByLabelText("Password")).toHaveFocus();
    await userEvent.type(within(dialog).getByLabelText("Password"), "correct horse battery");
    await userEvent.type(within(dialog).getByLabelText("Code from the app, or a recovery code"), "abcd0-efgh0 ");
    await userEvent.click(within(dialog).getByRole("button", { name: "Make new codes" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(api.calls("POST", "/api/auth/2fa/recovery-codes/")[0].body).toEqual({ password: "correct horse battery", code: "abcd0-efgh0" });
    expect(within(screen.getByRole("list", { name: "Recovery codes" })).getAllByRole("listitem")).toHaveLength(10);
  });

  it("shows one recovery code left in the singular, with no warning above three", async () => {
    routes({ ...ON, recovery_codes_left: 1 });
    renderInApp(<SecurityPage />);
    expect(await screen.findByText(/^1 recovery code left\./)).toBeInTheDocument();
  });

  it("turns two-factor sign-in off only with the password and a right code", async () => {
    const api = routes(ON);
    renderInApp(<SecurityPage />);
    expect(await screen.findByText("10 recovery codes left.")).not.toHaveClass("few");
    await userEvent.click(screen.getByRole("button", { name: "Turn off" }));
    const dialog = await screen.findByRole("dialog", { name: "Turn off two-factor sign-in?" });
    await userEvent.type(within(dialog).getByLabelText("Password"), "correct horse battery");
    const code = within(dialog).getByLabelText("Code from the app, or a recovery code");
    await userEvent.type(code, "000000");
    await userEvent.click(within(dialog).getByRole("button", { name: "Turn off" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(/^That code is not right\./);
    expect(code).toHaveAttribute("aria-invalid", "true");

    await userEvent.clear(code);
    await userEvent.type(code, "654321");
    await userEvent.click(within(dialog).getByRole("button", { name: "Turn off" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(await screen.findByText("Two-factor sign-in is off.")).toBeInTheDocument();
    expect(screen.getByText("Two-factor sign-in is off. Signing in asks only for your password.")).toHaveAttribute("role", "status");
    expect(api.calls("POST", "/api/auth/2fa/totp/disable/").at(-1)?.body).toEqual({ password: "correct horse battery", code: "654321" });
  });

  it("shows a refused password next to its field and keeps the dialog open", async () => {
    routes(ON, {
      "POST /api/auth/2fa/totp/disable/": apiError(400, "invalid", "Some fields are invalid.", {
        password: ["The password is not correct."],
      }),
    });
    renderInApp(<SecurityPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Turn off" }));
    const dialog = await screen.findByRole("dialog", { name: "Turn off two-factor sign-in?" });
    await userEvent.type(within(dialog).getByLabelText("Password"), "wrong");
    await userEvent.type(within(dialog).getByLabelText("Code from the app, or a recovery code"), "654321");
    await userEvent.click(within(dialog).getByRole("button", { name: "Turn off" }));
    expect(await within(dialog).findByText("The password is not correct.")).toHaveAttribute("id", "password-error");
  });

  it("links to access tokens and webhooks", async () => {
    routes(OFF);
    renderInApp(<SecurityPage />);
    expect(screen.getByRole("link", { name: "Access tokens" })).toHaveAttribute("href", "/settings/tokens");
    expect(screen.getByRole("link", { name: "Webhooks" })).toHaveAttribute("href", "/settings/webhooks");
  });
});

describe("qrImageSource", () => {
  it("gives an inline SVG (without its namespace) the namespace an image needs", () => {
    const inline = '<svg width="148" height="148" class="segno"><path d="M2 2.5h7"/></svg>';
    expect(decodeURIComponent(qrImageSource(inline).slice("data:image/svg+xml;utf8,".length))).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" width="148" height="148" class="segno"><path d="M2 2.5h7"/></svg>',
    );
    expect(qrImageSource(QR)).toBe("data:image/svg+xml;utf8," + encodeURIComponent(QR));
  });
});

describe("groupSecret", () => {
  it("groups the key in fours for typing", () => {
    expect(groupSecret("ABCDEFGHIJ")).toBe("ABCD EFGH IJ");
  });
});
