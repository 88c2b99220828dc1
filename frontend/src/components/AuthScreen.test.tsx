import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthScreen } from "./AuthScreen";

afterEach(() => vi.unstubAllGlobals());

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
});
