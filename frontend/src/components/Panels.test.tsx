import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Label } from "../api/types";
import { setLanguage } from "../i18n";
import { apiError, makeTask, ME, page, respond, stubRoutes } from "../test-support";
import { AccountPage, HistoryPanel, LabelsManager } from "./Panels";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  setLanguage("en");
});

const HOME: Label = { id: 3, name: "home", colour: "#00ff00" };

describe("LabelsManager", () => {
  it("renames a label in place", async () => {
    const api = stubRoutes({ "PATCH /api/tasks/labels/3/": (body) => respond(200, { ...HOME, ...(body as object) }) });
    const onChanged = vi.fn();
    render(<LabelsManager labels={[HOME]} onChanged={onChanged} />);
    await userEvent.click(screen.getByRole("button", { name: "Rename home" }));
    const name = screen.getByLabelText("New name");
    expect(name).toHaveValue("home");
    expect(name).toHaveFocus();
    await userEvent.clear(name);
    await userEvent.type(name, " house ");
    await userEvent.click(screen.getByRole("button", { name: "Save name" }));
    expect(api.calls("PATCH", "/api/tasks/labels/3/").map((c) => c.body)).toEqual([{ name: "house" }]);
    expect(onChanged).toHaveBeenCalledTimes(1);
    expect(screen.queryByLabelText("New name")).not.toBeInTheDocument();
  });

  it("keeps the form open with the API's message when the name is taken, and cancels", async () => {
    stubRoutes({
      "PATCH /api/tasks/labels/3/": apiError(400, "invalid", "Some fields are invalid.", {
        name: ["You already have a label with this name."],
      }),
    });
    const onChanged = vi.fn();
    render(<LabelsManager labels={[HOME, { id: 4, name: "work", colour: "#0000ff" }]} onChanged={onChanged} />);
    await userEvent.click(screen.getByRole("button", { name: "Rename home" }));
    await userEvent.clear(screen.getByLabelText("New name"));
    await userEvent.type(screen.getByLabelText("New name"), "work");
    await userEvent.click(screen.getByRole("button", { name: "Save name" }));
    expect(await screen.findByText("You already have a label with this name.")).toBeInTheDocument();
    expect(onChanged).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.getByRole("button", { name: "Rename home" })).toBeInTheDocument();
  });
});

describe("HistoryPanel", () => {
  const task = makeTask({ id: 7, title: "Pay rent" });
  const events = [
    { id: 2, kind: "completed", actor: null, changes: { status: ["todo", "done"] }, created_at: "2026-12-05T09:45:00Z" },
    { id: 1, kind: "created", actor: null, changes: {}, created_at: "2026-12-04T08:00:00Z" },
  ];

  it("takes the focus when it opens, so it is in view, and gives it back when Esc closes it", async () => {
    stubRoutes({ "GET /api/tasks/7/history/": respond(200, page(events)) });
    function Opener() {
      return <button type="button">History</button>;
    }
    const onClose = vi.fn();
    const { rerender } = render(<Opener />);
    screen.getByRole("button", { name: "History" }).focus();
    rerender(
      <>
        <Opener />
        <HistoryPanel task={task} onClose={onClose} timeZone="Europe/Berlin" />
      </>,
    );
    const panel = screen.getByRole("region", { name: "History of Pay rent" });
    expect(within(panel).getByRole("heading", { name: "History of “Pay rent”" })).toHaveFocus();
    expect(await within(panel).findByText("5 Dec 2026, 10:45")).toBeInTheDocument();
    expect(within(panel).getByText(/Completed/)).toHaveTextContent('Completed Status: "todo" → "done"');

    await userEvent.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalledTimes(1);
    rerender(<Opener />);
    expect(screen.getByRole("button", { name: "History" })).toHaveFocus();
  });

  it("speaks German", async () => {
    setLanguage("de");
    stubRoutes({ "GET /api/tasks/7/history/": respond(200, page(events)) });
    render(<HistoryPanel task={task} onClose={vi.fn()} timeZone="Europe/Berlin" />);
    const panel = screen.getByRole("region", { name: "Verlauf von Pay rent" });
    expect(await within(panel).findByText("05.12.2026, 10:45")).toBeInTheDocument();
    expect(within(panel).getByText(/Erledigt/)).toBeInTheDocument();
    expect(within(panel).getByRole("button", { name: "Schließen" })).toBeInTheDocument();
  });
});

describe("AccountPage", () => {
  it("switches the app to German and back, and keeps the choice", async () => {
    stubRoutes({ "GET /api/auth/sessions/": respond(200, []) });
    render(<AccountPage user={ME} onUser={vi.fn()} onSignedOut={vi.fn()} />, { wrapper: MemoryRouter });
    expect(screen.getByRole("heading", { name: "Account" })).toBeInTheDocument();
    const language = screen.getByLabelText("Language");
    expect(language).toHaveValue("en");

    await userEvent.selectOptions(language, "Deutsch");
    expect(await screen.findByRole("heading", { name: "Konto" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Profil speichern" })).toBeInTheDocument();
    expect(screen.getByLabelText("Sprache")).toHaveValue("de");
    expect(document.documentElement.lang).toBe("de");
    expect(localStorage.getItem("tms.language")).toBe("de");

    await userEvent.selectOptions(screen.getByLabelText("Sprache"), "English");
    expect(await screen.findByRole("heading", { name: "Account" })).toBeInTheDocument();
    expect(localStorage.getItem("tms.language")).toBe("en");
  });

  it("links to two-factor sign-in, access tokens and webhooks", () => {
    stubRoutes({ "GET /api/auth/sessions/": respond(200, []) });
    render(<AccountPage user={ME} onUser={vi.fn()} onSignedOut={vi.fn()} />, { wrapper: MemoryRouter });
    const security = screen.getByRole("navigation", { name: "Security" });
    expect(within(security).getByRole("link", { name: "Two-factor sign-in" })).toHaveAttribute("href", "/settings/security");
    expect(within(security).getByRole("link", { name: "Access tokens" })).toHaveAttribute("href", "/settings/tokens");
    expect(within(security).getByRole("link", { name: "Webhooks" })).toHaveAttribute("href", "/settings/webhooks");
  });
});
