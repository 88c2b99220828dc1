import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Task } from "../../api/types";
import { ADA, BOB, apiError, makeComment, makeProject, makeTask, member, page, respond, stubRoutes } from "../../test-support";
import { renderInApp } from "../../test-app";
import { TaskPanel } from "./TaskPanel";

afterEach(() => vi.unstubAllGlobals());

const parent = makeTask({ id: 1, title: "Plan the garden", project: 10, subtask_count: 2, subtasks_done: 1 });
const subtask = (id: number, title: string, done = false): Task =>
  makeTask({ id, title, project: 10, parent: 1, status: done ? "done" : "todo" });

describe("a task opened in the side panel", () => {
  const viewing = makeProject({ id: 10, name: "Garden", role: "viewer" });

  it("shows a viewer the task with its description as Markdown, sub-tasks and comments, and nothing to change them", async () => {
    stubRoutes({
      "GET /api/tasks/1/": respond(200, { ...parent, assignees: [BOB], description: "Roses and **tulips**" }),
      "GET /api/tasks/": respond(200, page([subtask(2, "Dig", true), subtask(3, "Sow")])),
      "GET /api/tasks/1/comments/": respond(200, page([makeComment({ author: ADA, body: "Mine from before" })])),
    });
    renderInApp(<TaskPanel taskId={1} onClose={vi.fn()} onOpen={vi.fn()} />, { projects: [viewing] });
    const dialog = await screen.findByRole("dialog");
    await within(dialog).findByText("Mine from before");
    await within(dialog).findByRole("button", { name: "Sow" });
    expect(within(dialog).getByRole("heading", { name: "Plan the garden" })).toBeInTheDocument();
    expect(within(dialog).getByText("tulips").tagName).toBe("STRONG");
    expect(within(dialog).getByText("Assigned to bob")).toBeInTheDocument();
    expect(within(dialog).queryByRole("textbox")).not.toBeInTheDocument();
    expect(within(dialog).queryByRole("checkbox")).not.toBeInTheDocument();
    expect(within(dialog).queryByRole("button", { name: "Edit" })).not.toBeInTheDocument();
  });

  it("shows a due time on the reader's clock and how the task repeats", async () => {
    const weekly = makeTask({
      id: 1,
      title: "Water the plants",
      due_date: "2026-12-07",
      due_time: "09:00",
      due_at: "2026-12-07T08:00:00Z",
      recurrence: "FREQ=WEEKLY;BYDAY=MO",
      recurrence_text: "every week on Monday",
    });
    stubRoutes({
      "GET /api/tasks/1/": respond(200, weekly),
      "GET /api/tasks/": respond(200, page([])),
      "GET /api/tasks/1/comments/": respond(200, page([])),
    });
    renderInApp(<TaskPanel taskId={1} onClose={vi.fn()} onOpen={vi.fn()} />);
    const dialog = await screen.findByRole("dialog");
    const details = await within(dialog).findByRole("article");
    // The owner set 09:00 in Paris; the reader (UTC here) sees 08:00 on their clock.
    expect(within(details).getByText("Due Mon 7 Dec at 8:00")).toBeInTheDocument();
    expect(within(details).getByText("↻ every week on Monday")).toBeInTheDocument();
  });

  it("says so when the task is gone or no longer shared", async () => {
    stubRoutes({ "GET /api/tasks/1/": apiError(404, "not_found", "Not found.") });
    renderInApp(<TaskPanel taskId={1} onClose={vi.fn()} onOpen={vi.fn()} />);
    expect(await screen.findByRole("alert")).toHaveTextContent("This task no longer exists, or you no longer have access to it.");
  });

  it("edits in a project: assignees among its members, projects the caller may write to", async () => {
    const garden = makeProject({ id: 10, name: "Garden", role: "editor" });
    const shed = makeProject({ id: 11, name: "Shed", role: "viewer" });
    const fence = makeTask({ id: 1, title: "Fence", project: 10, assignees: [ADA] });
    const api = stubRoutes({
      "GET /api/tasks/1/": respond(200, fence),
      "GET /api/tasks/": respond(200, page([])),
      "GET /api/tasks/1/comments/": respond(200, page([])),
      "GET /api/tasks/projects/10/members/": respond(200, page([member(ADA, "editor"), member(BOB, "editor")])),
      "PATCH /api/tasks/1/": (body) => respond(200, { ...fence, ...(body as object), version: 2 }),
    });
    renderInApp(<TaskPanel taskId={1} editing onClose={vi.fn()} onOpen={vi.fn()} />, { projects: [garden, shed] });
    const project = await screen.findByRole("combobox", { name: "Project" });
    expect(
      within(project)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toEqual(["Inbox", "Garden"]);
    await userEvent.click(await screen.findByRole("checkbox", { name: "bob" }));
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(api.calls("PATCH", "/api/tasks/1/")[0].body).toMatchObject({ assignees: [1, 2] });
    expect(api.calls("PATCH", "/api/tasks/1/")[0].body).not.toHaveProperty("project");
  });

  it("on a conflict says what happened and saves over the newer version only when asked", async () => {
    const mine = makeTask({ id: 1, title: "Report", version: 3 });
    let server = { ...mine, title: "Report (Bob's)", version: 4 };
    const api = stubRoutes({
      "GET /api/tasks/1/": () => respond(200, server),
      "GET /api/tasks/": respond(200, page([])),
      "GET /api/tasks/1/comments/": respond(200, page([])),
      "PATCH /api/tasks/1/": (body) => {
        const sent = api.fetch.mock.calls.at(-1)![1]!.headers as Record<string, string>;
        if (sent["If-Match"] !== `"${server.version}"`) return apiError(412, "precondition_failed", "The task changed.");
        server = { ...server, ...(body as object), version: server.version + 1 };
        return respond(200, server);
      },
    });
    // The panel read version 3; Bob saved version 4 since.
    api.fetch.mockImplementationOnce(async () => respond(200, mine));
    renderInApp(<TaskPanel taskId={1} editing onClose={vi.fn()} onOpen={vi.fn()} />);
    const title = await screen.findByRole("textbox", { name: "Title" });
    await userEvent.clear(title);
    await userEvent.type(title, "Report, final");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Someone else changed this task while you were editing it.");
    expect(server.title).toBe("Report (Bob's)");
    await userEvent.click(within(alert).getByRole("button", { name: "Save mine over theirs" }));
    expect(await screen.findByRole("heading", { name: "Report, final" })).toBeInTheDocument();
    expect(server).toMatchObject({ title: "Report, final", version: 5 });
  });
});

describe("the panel and the keyboard", () => {
  function Opener() {
    const [open, setOpen] = useState(false);
    return (
      <>
        <button type="button" onClick={() => setOpen(true)}>
          New task
        </button>
        {open && <TaskPanel taskId="new" onClose={() => setOpen(false)} onOpen={vi.fn()} />}
      </>
    );
  }

  it("keeps Tab inside, closes on Esc without saving, and gives the focus back to the opener", async () => {
    const api = stubRoutes({});
    renderInApp(<Opener />);
    const opener = screen.getByRole("button", { name: "New task" });
    opener.focus();
    await userEvent.keyboard("{Enter}");
    const dialog = screen.getByRole("dialog", { name: "New task" });
    const title = within(dialog).getByRole("textbox", { name: "Title" });
    expect(title).toHaveFocus();
    await userEvent.keyboard("Not saved");
    for (let i = 0; i < 20; i++) {
      await userEvent.tab();
      expect(dialog).toContainElement(document.activeElement as HTMLElement);
    }
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    await waitFor(() => expect(opener).toHaveFocus());
    expect(api.calls("POST", "/api/tasks/")).toHaveLength(0);
  });
});
