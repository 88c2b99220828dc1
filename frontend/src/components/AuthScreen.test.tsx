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
