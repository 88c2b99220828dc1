import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderInApp } from "../../test-app";
import { apiError, makeProject, respond, stubRoutes } from "../../test-support";
import type { AccessToken } from "./api";
import { TokensPage } from "./TokensPage";

afterEach(() => vi.unstubAllGlobals());

const SECRET = "tms_pat_" + "A".repeat(43);

function token(fields: Partial<AccessToken> = {}): AccessToken {
  return {
    id: 7,
    name: "Backup script",
    hint: "tms_pat_Ab3x",
    scopes: ["tasks:read"],
    project: null,
    created_at: "2026-11-20T10:00:00Z",
    last_used_at: null,
    expires_at: null,
    ...fields,
  };
}

/** The API with a list of live tokens that creates and revokes change. */
function tokenApi(start: AccessToken[] = []) {
  let live = [...start];
  return stubRoutes({
    "GET /api/auth/tokens/": () => respond(200, live),
    "POST /api/auth/tokens/": (body) => {
      const made = token({
        id: 8,
        ...(body as Partial<AccessToken>),
        hint: "tms_pat_AAAA",
        project: (body as { project: number | null }).project,
      });
      live = [made, ...live];
      return respond(201, { ...made, token: SECRET });
    },
    "DELETE /api/auth/tokens/7/": () => {
      live = live.filter((t) => t.id !== 7);
      return respond(204);
    },
  });
}

describe("access tokens", () => {
  it("lists each token with its scopes, project, use and expiry", async () => {
    tokenApi([
      token(),
      token({
        id: 9,
        name: "Sync",
        scopes: ["tasks:read", "tasks:write"],
        project: 10,
        last_used_at: "2026-11-26T08:30:00Z",
        expires_at: "2020-01-01T00:00:00Z",
      }),
    ]);
    renderInApp(<TokensPage />, { projects: [makeProject({ id: 10, name: "Garden" })] });
    const backup = await screen.findByRole("article", { name: "Backup script" });
    expect(within(backup).getByText("tms_pat_Ab3x…")).toBeInTheDocument();
    expect(within(within(backup).getByRole("list", { name: "Scopes" })).getByText("Read tasks")).toBeInTheDocument();
    expect(within(backup).getByText("never")).toBeInTheDocument();
    expect(within(backup).getByText("never expires")).toBeInTheDocument();
    expect(within(backup).queryByText("Project")).not.toBeInTheDocument();
    const sync = screen.getByRole("article", { name: "Sync" });
    expect(within(sync).getByText("Write tasks")).toBeInTheDocument();
    expect(within(sync).getByText("Garden")).toBeInTheDocument();
    expect(within(sync).getByText("expired")).toBeInTheDocument();
    expect(within(sync).queryByText("never")).not.toBeInTheDocument();
  });

  it("shows a new token once, with an example, and never in the list", async () => {
    const api = tokenApi();
    renderInApp(<TokensPage />, { projects: [makeProject({ id: 10, name: "Garden" })] });
    expect(await screen.findByText("You have no access tokens.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "New token" }));
    const dialog = screen.getByRole("dialog", { name: "New access token" });
    await userEvent.type(within(dialog).getByLabelText("Name"), "CI");
    // Writing takes reading with it.
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Write tasks" }));
    expect(within(dialog).getByRole("checkbox", { name: "Read tasks" })).toBeChecked();
    expect(within(dialog).getByRole("checkbox", { name: "Read tasks" })).toBeDisabled();
    expect(within(dialog).getByText(/Writing tasks includes reading them/)).toBeInTheDocument();
    await userEvent.selectOptions(within(dialog).getByLabelText("Project"), "Garden");
    expect(within(dialog).getByLabelText("Expires after")).toHaveValue("90");
    await userEvent.selectOptions(within(dialog).getByLabelText("Expires after"), "Never");
    expect(within(dialog).getByRole("note")).toHaveTextContent("works until you revoke it");
    await userEvent.type(within(dialog).getByLabelText("Your password"), "my passphrase 42");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create token" }));

    const secret = await screen.findByRole("textbox", { name: "Your new token “CI”" });
    expect(secret).toHaveValue(SECRET);
    expect(screen.getByText("Copy it now. You will not see it again.")).toBeInTheDocument();
    expect(screen.getByRole("figure", { name: "For example, to list your tasks:" })).toHaveTextContent(
      `curl -H "Authorization: Bearer ${SECRET}" http://localhost:3000/api/tasks/`,
    );
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(api.calls("POST", "/api/auth/tokens/")[0].body).toEqual({
      name: "CI",
      scopes: ["tasks:read", "tasks:write"],
      project: 10,
      expires_in_days: null,
      password: "my passphrase 42",
    });

    const row = await screen.findByRole("article", { name: "CI" });
    expect(within(row).getByText("tms_pat_AAAA…")).toBeInTheDocument();
    expect(within(row).queryByText(SECRET, { exact: false })).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Done, I have copied it" }));
    expect(screen.queryByDisplayValue(SECRET)).not.toBeInTheDocument();
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it("takes reading tasks with managing webhooks, as the API requires", async () => {
    tokenApi();
    renderInApp(<TokensPage />);
    await userEvent.click(await screen.findByRole("button", { name: "New token" }));
    const dialog = screen.getByRole("dialog", { name: "New access token" });
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Read tasks" })); // off
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Manage webhooks" }));
    expect(within(dialog).getByRole("checkbox", { name: "Read tasks" })).toBeChecked();
    expect(within(dialog).getByRole("checkbox", { name: "Read tasks" })).toBeDisabled();
    expect(within(dialog).getByText(/Managing webhooks does too/)).toBeInTheDocument();
  });

  it("copies the token to the clipboard", async () => {
    tokenApi();
    const writeText = vi.fn(async () => undefined);
    renderInApp(<TokensPage />);
    await userEvent.click(await screen.findByRole("button", { name: "New token" }));
    // userEvent brings its own clipboard; this one records what was written.
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    await userEvent.type(screen.getByLabelText("Name"), "CI");
    await userEvent.click(screen.getByRole("button", { name: "Create token" }));
    await userEvent.click(await screen.findByRole("button", { name: "Copy" }));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(await screen.findByText("Copied.")).toBeInTheDocument();
  });

  it("shows the API's objections by their fields and keeps the dialog", async () => {
    stubRoutes({
      "GET /api/auth/tokens/": respond(200, []),
      "POST /api/auth/tokens/": apiError(400, "invalid", "Some fields are not valid.", {
        name: ["Ensure this field has no more than 100 characters."],
        scopes: ["Choose at least one scope."],
      }),
    });
    renderInApp(<TokensPage />);
    await userEvent.click(await screen.findByRole("button", { name: "New token" }));
    const dialog = screen.getByRole("dialog", { name: "New access token" });
    await userEvent.type(within(dialog).getByLabelText("Name"), "Too long");
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Read tasks" }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Create token" }));
    const nameField = within(dialog).getByLabelText("Name").closest(".field") as HTMLElement;
    expect(await within(nameField).findByText("Ensure this field has no more than 100 characters.")).toBeInTheDocument();
    const scopes = within(dialog).getByRole("group", { name: "What it may do" });
    expect(within(scopes).getByText("Choose at least one scope.")).toBeInTheDocument();
    expect(screen.queryByRole("textbox", { name: /Your new token/ })).not.toBeInTheDocument();
  });

  it("shows a wrong password by its field, and makes nothing", async () => {
    stubRoutes({
      "GET /api/auth/tokens/": respond(200, []),
      "POST /api/auth/tokens/": apiError(400, "invalid", "Some fields are not valid.", {
        password: ["The password is incorrect."],
      }),
    });
    renderInApp(<TokensPage />);
    await userEvent.click(await screen.findByRole("button", { name: "New token" }));
    const dialog = screen.getByRole("dialog", { name: "New access token" });
    await userEvent.type(within(dialog).getByLabelText("Name"), "CI");
    await userEvent.type(within(dialog).getByLabelText("Your password"), "not it");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create token" }));
    const passwordField = within(dialog).getByLabelText("Your password").closest(".field") as HTMLElement;
    expect(await within(passwordField).findByText("The password is incorrect.")).toBeInTheDocument();
    expect(screen.queryByRole("textbox", { name: /Your new token/ })).not.toBeInTheDocument();
  });

  it("says so when the account has the most tokens", async () => {
    stubRoutes({
      "GET /api/auth/tokens/": respond(200, []),
      "POST /api/auth/tokens/": apiError(409, "quota_exceeded", "You have 50 access tokens, the most an account can have."),
    });
    renderInApp(<TokensPage />);
    await userEvent.click(await screen.findByRole("button", { name: "New token" }));
    await userEvent.type(screen.getByLabelText("Name"), "One more");
    await userEvent.click(screen.getByRole("button", { name: "Create token" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("You have 50 access tokens, the most an account can have.");
  });

  it("revokes a token after asking, and it leaves the list", async () => {
    const api = tokenApi([token()]);
    renderInApp(<TokensPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Revoke Backup script" }));
    const confirm = screen.getByRole("dialog", { name: "Revoke “Backup script”?" });
    expect(api.calls("DELETE", "/api/auth/tokens/7/")).toHaveLength(0);
    await userEvent.click(within(confirm).getByRole("button", { name: "Revoke the token" }));
    expect(await screen.findByText("You have no access tokens.")).toBeInTheDocument();
    expect(api.calls("DELETE", "/api/auth/tokens/7/")).toHaveLength(1);
    expect(screen.getByText("Revoked “Backup script”. It no longer works.")).toBeInTheDocument();
  });

  it("keeps the token when the revocation is cancelled", async () => {
    const api = tokenApi([token()]);
    renderInApp(<TokensPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Revoke Backup script" }));
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.getByRole("article", { name: "Backup script" })).toBeInTheDocument();
    expect(api.calls("DELETE", "/api/auth/tokens/7/")).toHaveLength(0);
  });
});
