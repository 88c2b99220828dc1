import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setLanguage } from "../i18n";
import { AuthScreen } from "./AuthScreen";
import { MailLinkPage, mailLinkFrom } from "./MailLinks";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  setLanguage("en");
});

function respond(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("links from mails", () => {
  it("recognises each page the mails link to", () => {
    expect(mailLinkFrom({ pathname: "/reset-password", search: "?uid=MQ&token=abc" })).toEqual({
      kind: "reset-password",
      uid: "MQ",
      token: "abc",
    });
    expect(mailLinkFrom({ pathname: "/confirm-email/", search: "?token=t1" })).toEqual({ kind: "confirm-email", token: "t1" });
    expect(mailLinkFrom({ pathname: "/revert-email", search: "?token=t2" })).toEqual({ kind: "revert-email", token: "t2" });
    expect(mailLinkFrom({ pathname: "/reset-password", search: "?token=abc" })).toBeNull();
    expect(mailLinkFrom({ pathname: "/board", search: "?token=abc" })).toBeNull();
  });

  it("confirms a new address with one click and says so", async () => {
    const user = { id: 1, username: "ada", email: "new@example.com", display_name: "", time_zone: "UTC", date_joined: "" };
    const fetch = vi.fn().mockResolvedValue(respond(200, user));
    vi.stubGlobal("fetch", fetch);
    render(<MailLinkPage link={{ kind: "confirm-email", token: "signed:token" }} />);
    await userEvent.click(screen.getByRole("button", { name: "Confirm address" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Your account now uses new@example.com.");
    expect(fetch.mock.calls[0][0]).toContain("/api/auth/email/confirm/");
    expect(JSON.parse(fetch.mock.calls[0][1].body)).toEqual({ token: "signed:token" });
  });

  it("shows why a used link no longer works", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn().mockResolvedValue(
        respond(400, {
          error: {
            status: 400,
            code: "invalid",
            message: "Some fields are invalid.",
            request_id: "r",
            fields: { token: ["This link is invalid, expired or has already been used."] },
          },
        }),
      ),
    );
    render(<MailLinkPage link={{ kind: "revert-email", token: "old" }} />);
    await userEvent.click(screen.getByRole("button", { name: "Undo the change" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This link is invalid, expired or has already been used.");
  });

  it("sets a new password from a reset link", async () => {
    const fetch = vi.fn().mockResolvedValue(new Response(null, { status: 204 }));
    vi.stubGlobal("fetch", fetch);
    render(<MailLinkPage link={{ kind: "reset-password", uid: "MQ", token: "tok" }} />);
    await userEvent.type(screen.getByLabelText(/New password/), "a brand new passphrase");
    await userEvent.click(screen.getByRole("button", { name: "Set password" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Your password is changed");
    expect(JSON.parse(fetch.mock.calls[0][1].body)).toEqual({ uid: "MQ", token: "tok", new_password: "a brand new passphrase" });
  });

  it("asks for a reset link from the sign-in page", async () => {
    const fetch = vi.fn().mockResolvedValue(respond(202, { detail: "If an account uses this address, a reset link is on its way." }));
    vi.stubGlobal("fetch", fetch);
    render(<AuthScreen onSignedIn={vi.fn()} />);
    await userEvent.click(screen.getByRole("button", { name: "Forgot password?" }));
    await userEvent.type(screen.getByLabelText("Email"), "ada@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Mail me a link" }));
    expect(await screen.findByRole("status")).toHaveTextContent("a reset link is on its way");
    expect(JSON.parse(fetch.mock.calls[0][1].body)).toEqual({ email: "ada@example.com" });
  });
});

describe("in German", () => {
  it("confirms a new address and says so in German", async () => {
    setLanguage("de");
    const user = { id: 1, username: "ada", email: "new@example.com", display_name: "", time_zone: "UTC", date_joined: "" };
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue(respond(200, user)));
    render(<MailLinkPage link={{ kind: "confirm-email", token: "signed:token" }} />);
    expect(screen.getByRole("heading", { name: "Neue E-Mail-Adresse bestätigen" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Adresse bestätigen" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Ihr Konto verwendet jetzt new@example.com.");
  });
});
