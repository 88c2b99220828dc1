import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Task } from "../api/types";
import { makeTask } from "../test-support";
import { TaskBoard } from "./TaskBoard";

function task(id: number, title: string, status: Task["status"] = "todo"): Task {
  return makeTask({ id, title, status, position: id });
}

const board = [task(1, "A"), task(2, "B"), task(3, "C"), task(4, "D", "in_progress")];

function stubApi() {
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    if (url.startsWith("/api/tasks/?"))
      return new Response(JSON.stringify({ results: board, next: null, previous: null }), { status: 200 });
    return new Response(JSON.stringify({ ...board[1], ...(init.body ? JSON.parse(init.body as string) : {}) }), { status: 200 });
  });
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

afterEach(() => vi.unstubAllGlobals());

describe("TaskBoard keyboard moves", () => {
  it("moves a card down between its next neighbours", async () => {
    const fetch = stubApi();
    const onChanged = vi.fn();
    render(<TaskBoard today="2026-11-27" version={0} onEdit={vi.fn()} onHistory={vi.fn()} onChanged={onChanged} />);
    await userEvent.click(await screen.findByRole("button", { name: "Move B down" }));
    const [url, init] = fetch.mock.calls.at(-1)!;
    expect(url).toBe("/api/tasks/2/move/");
    expect(JSON.parse(init.body as string)).toEqual({ status: "todo", after_id: 3 });
    expect(onChanged).toHaveBeenCalled();
  });

  it("moves a card to the end of the next column", async () => {
    const fetch = stubApi();
    render(<TaskBoard today="2026-11-27" version={0} onEdit={vi.fn()} onHistory={vi.fn()} onChanged={vi.fn()} />);
    await userEvent.click(await screen.findByRole("button", { name: "Move A to In progress" }));
    const [url, init] = fetch.mock.calls.at(-1)!;
    expect(url).toBe("/api/tasks/1/move/");
    expect(JSON.parse(init.body as string)).toEqual({ status: "in_progress", after_id: 4 });
  });

  it("cannot move the first card up", async () => {
    stubApi();
    render(<TaskBoard today="2026-11-27" version={0} onEdit={vi.fn()} onHistory={vi.fn()} onChanged={vi.fn()} />);
    expect(await screen.findByRole("button", { name: "Move A up" })).toBeDisabled();
  });
});

describe("TaskBoard of a project that is no longer shared", () => {
  it("says the project is no longer available instead of a bare 'Not found'", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(
        async () =>
          new Response(JSON.stringify({ error: { status: 404, code: "not_found", message: "Not found.", request_id: "r" } }), {
            status: 404,
          }),
      ),
    );
    render(
      <TaskBoard today="2026-11-27" version={0} scope={{ project: ["7"] }} onEdit={vi.fn()} onHistory={vi.fn()} onChanged={vi.fn()} />,
    );
    expect(await screen.findByRole("alert")).toHaveTextContent("no longer available to you");
  });
});
