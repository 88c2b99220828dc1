import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { makeProject, makeTask, ME, page, respond, stubRoutes } from "../test-support";

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, "", "/");
});

const garden = makeProject({ id: 10, name: "Garden" });
const attic = makeProject({ id: 11, name: "Attic", archived: true });

function stubWorkspace() {
  document.cookie = "tms_session=1; path=/";
  return stubRoutes({
    "POST /api/auth/refresh/": respond(200, { access: "token" }),
    "GET /api/auth/me/": respond(200, ME),
    "GET /api/tasks/labels/": respond(200, page([])),
    "GET /api/tasks/projects/": respond(200, page([garden, attic])),
    "GET /api/tasks/": (_body, url) =>
      respond(200, page(url.includes("project=10") ? [makeTask({ id: 5, title: "Plant roses", project: 10 })] : [])),
    "GET /api/tasks/projects/10/members/": respond(200, page([])),
    "POST /api/tasks/": (body) => respond(201, makeTask({ id: 6, ...(body as object) })),
  });
}

describe("the signed-in app", () => {
  it("offers the lists in a sidebar, with archived projects folded away, and marks the current one", async () => {
    stubWorkspace();
    render(<App />);
    const lists = await screen.findByRole("navigation", { name: "Lists" });
    for (const name of ["Inbox", "Today", "Upcoming", "Assigned to me", "All tasks", "Garden"])
      expect(within(lists).getByRole("link", { name })).toBeInTheDocument();
    expect(within(lists).getByRole("link", { name: "All tasks" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByText("Archived (1)").closest("details")).not.toHaveAttribute("open");
  });

  it("shows the chosen project's tasks at its own URL and creates new tasks in it", async () => {
    const api = stubWorkspace();
    render(<App />);
    const lists = await screen.findByRole("navigation", { name: "Lists" });
    await userEvent.click(within(lists).getByRole("link", { name: "Garden" }));
    expect(await screen.findByRole("article", { name: "Plant roses" })).toBeInTheDocument();
    expect(window.location.pathname).toBe("/projects/10");
    expect(api.calls("GET", "/api/tasks/").at(-1)!.url).toContain("project=10");

    await userEvent.click(screen.getByRole("button", { name: "New task" }));
    expect(await screen.findByLabelText("Project")).toHaveValue("10");
    await userEvent.type(screen.getByLabelText("Title"), "Buy seeds");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(api.calls("POST", "/api/tasks/")[0].body).toMatchObject({ title: "Buy seeds", project: 10 });
  });

  it("says once, in the page, that a project in the URL is not available", async () => {
    stubWorkspace();
    window.history.replaceState(null, "", "/projects/77");
    render(<App />);
    expect(await screen.findByText(/This project is no longer available to you/)).toBeInTheDocument();
    expect(screen.getAllByText(/no longer available/)).toHaveLength(1);
  });

  it("creates a project from the sidebar and goes to it", async () => {
    const api = stubWorkspace();
    const created = makeProject({ id: 12, name: "Move house" });
    api.fetch.mockImplementation(async (url: string, init: RequestInit = {}) =>
      init.method === "POST" && url === "/api/tasks/projects/" ? respond(201, created) : respond(200, page([])),
    );
    render(<App />);
    await userEvent.click(await screen.findByRole("button", { name: "New project" }));
    await userEvent.type(screen.getByLabelText("Project name"), "Move house");
    await userEvent.click(screen.getByRole("button", { name: "Create project" }));
    await vi.waitFor(() => expect(window.location.pathname).toBe("/projects/12"));
  });
});
