import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { makeProject, makeTask, ME, page, respond, stubRoutes } from "../test-support";
import { scopeQuery } from "./access";
import { ProjectSidebar } from "./ProjectSidebar";

afterEach(() => vi.unstubAllGlobals());

const garden = makeProject({ id: 10, name: "Garden" });
const attic = makeProject({ id: 11, name: "Attic", archived: true });

describe("ProjectSidebar", () => {
  it("offers the Inbox, each project and what is assigned to me, and marks the current one", async () => {
    const onSelect = vi.fn();
    render(<ProjectSidebar projects={[garden, attic]} scope={{ kind: "inbox" }} onSelect={onSelect} onCreated={vi.fn()} />);
    const lists = screen.getByRole("navigation", { name: "Task lists" });
    expect(within(lists).getByRole("button", { name: "Inbox" })).toHaveAttribute("aria-current", "page");
    await userEvent.click(within(lists).getByRole("button", { name: "Garden" }));
    expect(onSelect).toHaveBeenLastCalledWith({ kind: "project", id: 10, name: "Garden" });
    await userEvent.click(within(lists).getByRole("button", { name: "Assigned to me" }));
    expect(onSelect).toHaveBeenLastCalledWith({ kind: "assigned" });
  });

  it("folds archived projects into a closed Archived group", () => {
    render(<ProjectSidebar projects={[garden, attic]} scope={{ kind: "all" }} onSelect={vi.fn()} onCreated={vi.fn()} />);
    const group = screen.getByText("Archived (1)").closest("details")!;
    expect(group).not.toHaveAttribute("open");
    expect(within(group).getByRole("button", { name: "Attic" })).toBeInTheDocument();
  });

  it("has a select for narrow screens that picks the same lists", async () => {
    const onSelect = vi.fn();
    render(<ProjectSidebar projects={[garden, attic]} scope={{ kind: "all" }} onSelect={onSelect} onCreated={vi.fn()} />);
    await userEvent.selectOptions(screen.getByLabelText("Show"), "Attic (archived)");
    expect(onSelect).toHaveBeenLastCalledWith({ kind: "project", id: 11, name: "Attic" });
  });

  it("creates a project", async () => {
    const created = makeProject({ id: 12, name: "Move house" });
    const api = stubRoutes({ "POST /api/tasks/projects/": respond(201, created) });
    const onCreated = vi.fn();
    render(<ProjectSidebar projects={[]} scope={{ kind: "all" }} onSelect={vi.fn()} onCreated={onCreated} />);
    await userEvent.click(screen.getByRole("button", { name: "New project" }));
    await userEvent.type(screen.getByLabelText("Project name"), "Move house");
    await userEvent.click(screen.getByRole("button", { name: "Create project" }));
    expect(onCreated).toHaveBeenCalledWith(created);
    expect(api.calls("POST", "/api/tasks/projects/")[0].body).toMatchObject({ name: "Move house" });
  });

  it("turns each list into the task list's filters", () => {
    expect(scopeQuery({ kind: "inbox" })).toEqual({ project: ["inbox"], parent: "none" });
    expect(scopeQuery({ kind: "project", id: 10 })).toEqual({ project: ["10"], parent: "none" });
    expect(scopeQuery({ kind: "assigned" })).toEqual({ assignee: "me" });
  });
});

describe("the workspace with projects", () => {
  function stubWorkspace() {
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

  it("shows the chosen project's tasks and creates new tasks in it", async () => {
    const api = stubWorkspace();
    render(<App />);
    const lists = await screen.findByRole("navigation", { name: "Task lists" });
    await userEvent.click(await within(lists).findByRole("button", { name: "Garden" }));
    expect(await screen.findByRole("article", { name: "Plant roses" })).toBeInTheDocument();
    expect(api.calls("GET", "/api/tasks/").at(-1)!.url).toContain("project=10");
    expect(screen.getByRole("heading", { name: "Garden" })).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "New task" }));
    expect(screen.getByLabelText("Project")).toHaveValue("10");
    await userEvent.type(screen.getByLabelText("Title"), "Buy seeds");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(api.calls("POST", "/api/tasks/")[0].body).toMatchObject({ title: "Buy seeds", project: 10 });
  });

  it("says so when the chosen project is no longer there", async () => {
    const api = stubWorkspace();
    render(<App />);
    const lists = await screen.findByRole("navigation", { name: "Task lists" });
    await userEvent.click(await within(lists).findByRole("button", { name: "Garden" }));
    await screen.findByRole("article", { name: "Plant roses" });
    // removed from the project meanwhile: the next load of the projects no longer has it
    api.fetch.mockImplementation(async (url: string) =>
      url.startsWith("/api/tasks/projects/") ? respond(200, page([attic])) : respond(200, page([])),
    );
    await userEvent.click(screen.getByRole("button", { name: "Trash Plant roses" }));
    expect(await screen.findByText(/“Garden” is no longer available to you/)).toBeInTheDocument();
    expect(within(lists).getByRole("button", { name: "All tasks" })).toHaveAttribute("aria-current", "page");
  });
});
