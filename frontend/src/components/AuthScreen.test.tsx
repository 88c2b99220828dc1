import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, respond as answer, stubRoutes } from "../test-support";
import { AuthScreen } from "./AuthScreen";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function respond(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("AuthScreen", () => {
  it("signs in and hands the user over", async () => {
    const user = { id: 1, username: "ada", email: "ada@example.com", display_name: "", time_zone: "UTC", date_joined: "" };
    const fetch = vi.fn().mockResolvedValue(respond(200, { access: "token", user }));
    vi.stubGlobal("fetch", fetch);
    const onSignedIn = vi.fn();
    render(<AuthScreen onSignedIn={onSignedIn} />);
    await userEvent.type(screen.getByLabelText("Username or email"), "ada");
    await userEvent.type(screen.getByLabelText("Password"), "correct horse battery");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(onSignedIn).toHaveBeenCalledWith(user);
    expect(JSON.parse(fetch.mock.calls[0][1].body)).toEqual({ username: "ada", password: "correct horse battery", use_cookie: true });
  });

  it("shows a wrong password as the API words it", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn().mockResolvedValue(
        respond(401, {
          error: { status: 401, code: "invalid_credentials", message: "The username or password is incorrect.", request_id: "r" },
        }),
      ),
    );
    const onSignedIn = vi.fn();
    render(<AuthScreen onSignedIn={onSignedIn} />);
    await userEvent.type(screen.getByLabelText("Username or email"), "ada");
    await userEvent.type(screen.getByLabelText("Password"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The username or password is incorrect.");
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it("puts a registration error next to the field", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn().mockResolvedValue(
        respond(400, {
          error: {
            status: 400,
            code: "invalid",
            message: "Some fields are invalid.",
            request_id: "r",
            fields: { password: ["This password is too short. It must contain at least 12 characters."] },
          },
        }),
      ),
    );
    render(<AuthScreen onSignedIn={vi.fn()} />);
    await userEvent.click(screen.getByRole("button", { name: "No account yet? Create one" }));
    await userEvent.type(screen.getByLabelText("Username"), "ada");
    await userEvent.type(screen.getByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "short");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByText(/too short/)).toHaveAttribute("id", "password-error");
  });

  it("says once, in minutes, how long to wait after too many attempts", async () => {
    // The API's message names the wait in seconds, and DRF appends its own "Expected available in …".
    const message = "Too many attempts. Try again in 240 seconds. Expected available in 240 seconds.";
    stubRoutes({ "POST /api/auth/login/": apiError(429, "throttled", message) });
    render(<AuthScreen onSignedIn={vi.fn()} />);
    await userEvent.type(screen.getByLabelText("Username or email"), "ada");
    await userEvent.type(screen.getByLabelText("Password"), "guess");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    const alerts = await screen.findAllByRole("alert");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toHaveTextContent(/^Too many attempts\. Try again in 4 minutes\.$/);
  });

  it("starts a new account in the browser's time zone", async () => {
    const resolved = Intl.DateTimeFormat.prototype.resolvedOptions;
    vi.spyOn(Intl.DateTimeFormat.prototype, "resolvedOptions").mockImplementation(function (this: Intl.DateTimeFormat) {
      return { ...resolved.call(this), timeZone: "Europe/Berlin" };
    });
    const user = { id: 1, username: "ada", email: "ada@example.com", display_name: "", time_zone: "Europe/Berlin", date_joined: "" };
    const routes = stubRoutes({
      "POST /api/auth/register/": answer(201, user),
      "POST /api/auth/login/": answer(200, { access: "token", user }),
    });
    const onSignedIn = vi.fn();
    render(<AuthScreen onSignedIn={onSignedIn} />);
    await userEvent.click(screen.getByRole("button", { name: "No account yet? Create one" }));
    await userEvent.type(screen.getByLabelText("Username"), "ada");
    await userEvent.type(screen.getByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "correct horse battery");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    await vi.waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(user));
    expect(routes.calls("POST", "/api/auth/register/")[0].body).toMatchObject({ username: "ada", time_zone: "Europe/Berlin" });
  });
});

describe("AuthScreen, the second step of two-factor sign-in", () => {
  const user = { id: 1, username: "ada", email: "ada@example.com", display_name: "", time_zone: "UTC", date_joined: "" };
  const challenge = { mfa_required: true, mfa_token: "step-two", methods: ["totp", "recovery_code"] };

  async function passwordStep(onSignedIn = vi.fn()) {
    render(<AuthScreen onSignedIn={onSignedIn} />);
    await userEvent.type(screen.getByLabelText("Username or email"), "ada");
    await userEvent.type(screen.getByLabelText("Password"), "correct horse battery");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    return onSignedIn;
  }

  it("asks for the app's code after the password, and signs in with it", async () => {
    const routes = stubRoutes({
      "POST /api/auth/login/": answer(200, challenge),
      "POST /api/auth/login/2fa/": answer(200, { access: "token", user }),
    });
    const onSignedIn = await passwordStep();
    const code = await screen.findByLabelText("6-digit code");
    expect(screen.getByRole("heading", { name: "Two-factor sign-in" })).toBeInTheDocument();
    expect(code).toHaveFocus();
    expect(code).toHaveAttribute("inputmode", "numeric");
    expect(code).toHaveAttribute("autocomplete", "one-time-code");
    expect(onSignedIn).not.toHaveBeenCalled();
    await userEvent.type(code, "123 456");
    expect(code).toHaveValue("123456");
    await userEvent.click(screen.getByRole("button", { name: "Verify" }));
    await vi.waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(user));
    expect(routes.calls("POST", "/api/auth/login/2fa/")[0].body).toEqual({ mfa_token: "step-two", code: "123456" });
  });

  it("takes a recovery code instead", async () => {
    const routes = stubRoutes({
      "POST /api/auth/login/": answer(200, challenge),
      "POST /api/auth/login/2fa/": answer(200, { access: "token", user }),
    });
    const onSignedIn = await passwordStep();
    await userEvent.click(await screen.findByRole("button", { name: "Use a recovery code instead" }));
    const field = screen.getByLabelText("Recovery code");
    expect(field).toHaveFocus();
    await userEvent.type(field, " abcde-12345 ");
    await userEvent.click(screen.getByRole("button", { name: "Verify" }));
    await vi.waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(user));
    expect(routes.calls("POST", "/api/auth/login/2fa/")[0].body).toEqual({
      mfa_token: "step-two",
      recovery_code: "abcde-12345",
    });
  });

  it("says a wrong code is wrong and lets the person try again", async () => {
    stubRoutes({
      "POST /api/auth/login/": answer(200, challenge),
      "POST /api/auth/login/2fa/": apiError(401, "invalid_code", "The code is not valid."),
    });
    const onSignedIn = await passwordStep();
    await userEvent.type(await screen.findByLabelText("6-digit code"), "000000");
    await userEvent.click(screen.getByRole("button", { name: "Verify" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "That code is not right. Enter the code the app shows now (each code works once).",
    );
    expect(screen.getByLabelText("6-digit code")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("6-digit code")).toHaveFocus();
    expect(screen.getByRole("button", { name: "Verify" })).toBeEnabled();
    expect(onSignedIn).not.toHaveBeenCalled();
  });

  it("sends the person back to the password when the step has expired", async () => {
    stubRoutes({
      "POST /api/auth/login/": answer(200, challenge),
      "POST /api/auth/login/2fa/": apiError(401, "mfa_token_invalid", "The sign-in has expired."),
    });
    await passwordStep();
    await userEvent.type(await screen.findByLabelText("6-digit code"), "123456");
    await userEvent.click(screen.getByRole("button", { name: "Verify" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "This sign-in took too long and has expired. Start again with your password.",
    );
    expect(screen.queryByRole("button", { name: "Verify" })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Start again" }));
    expect(screen.getByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByLabelText("Username or email")).toHaveValue("ada");
    expect(screen.getByLabelText("Password")).toHaveValue("");
  });

  it("says how long to wait after too many codes", async () => {
    stubRoutes({
      "POST /api/auth/login/": answer(200, challenge),
      "POST /api/auth/login/2fa/": apiError(429, "throttled", "Too many attempts. Try again in 120 seconds."),
    });
    await passwordStep();
    await userEvent.type(await screen.findByLabelText("6-digit code"), "123456");
    await userEvent.click(screen.getByRole("button", { name: "Verify" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(/^Too many attempts\. Try again in 2 minutes\.$/);
  });
});
