import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeTask, page, respond, stubRoutes } from "../../test-support";
import { renderInApp } from "../../test-app";
import { TaskListView } from "./TaskListView";

afterEach(() => vi.unstubAllGlobals());

const tasks = [makeTask({ id: 1, title: "A" }), makeTask({ id: 2, title: "B" }), makeTask({ id: 3, title: "C" })];

describe("a task list", () => {
  it("keeps every loaded page when a task on the second page changes", async () => {
    const more = Array.from({ length: 5 }, (_, i) => makeTask({ id: 100 + i, title: `More ${i}` }));
    let done = false;
    stubRoutes({
      "GET /api/tasks/": (_body, url) =>
        url.includes("cursor=")
          ? respond(200, page(more.map((t) => (t.id === 100 && done ? { ...t, status: "done" } : t))))
          : respond(200, { results: tasks, next: "/api/tasks/?cursor=abc", previous: null }),
      "POST /api/tasks/100/complete/": () => {
        done = true;
        return respond(200, { ...more[0], status: "done" });
      },
    });
    renderInApp(<TaskListView list={{ kind: "all" }} />);
    await userEvent.click(await screen.findByRole("button", { name: "Load more" }));
    await userEvent.click(await screen.findByRole("checkbox", { name: "Complete More 0" }));
    expect(await screen.findByRole("checkbox", { name: "Reopen More 0" })).toBeChecked();
    expect(screen.getAllByRole("article")).toHaveLength(8);
  });

  it("changes the selected tasks at once and offers to undo it", async () => {
    const api = stubRoutes({
      "GET /api/tasks/": respond(200, page(tasks)),
      "POST /api/tasks/bulk/": (body) => respond(200, { action: (body as { action: string }).action, matched: 2, changed: 2 }),
    });
    renderInApp(<TaskListView list={{ kind: "all" }} />);
    await userEvent.click(await screen.findByRole("button", { name: "Select tasks" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Select A" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Select C" }));
    const bar = screen.getByRole("toolbar", { name: "Selected tasks" });
    expect(within(bar).getByText("2 selected")).toBeInTheDocument();
    await userEvent.click(within(bar).getByRole("button", { name: "Complete" }));
    expect(api.calls("POST", "/api/tasks/bulk/")[0].body).toEqual({ action: "complete", ids: [1, 3] });
    await userEvent.click(await screen.findByRole("button", { name: "Undo" }));
    expect(api.calls("POST", "/api/tasks/bulk/")[1].body).toEqual({ action: "reopen", ids: [1, 3] });
  });

  it("says what to do next when a list is empty, and when filters match nothing", async () => {
    stubRoutes({ "GET /api/tasks/": respond(200, page([])) });
    renderInApp(<TaskListView list={{ kind: "today" }} />);
    expect(await screen.findByText("Nothing due today. Enjoy the day.")).toBeInTheDocument();
  });
});
