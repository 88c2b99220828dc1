import { act, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { Conflict, QueueState } from "../offline/queue";
import { makeTask, respond, stubRoutes } from "../test-support";
import { renderInApp } from "../test-app";
import { SyncStatus } from "./SyncStatus";

afterEach(() => vi.unstubAllGlobals());

/** Stand in for the queue's state: what it tells its listeners. */
function fakeQueue(state: QueueState) {
  let listener: ((s: QueueState) => void) | null = null;
  const dismiss = vi.fn();
  vi.spyOn(api.queue!, "subscribe").mockImplementation((l) => {
    listener = l;
    l(state);
    return () => undefined;
  });
  vi.spyOn(api.queue!, "dismiss").mockImplementation(dismiss);
  return { dismiss, tell: (next: QueueState) => act(() => listener?.(next)) };
}

const conflict: Conflict = {
  write: { kind: "edit", seq: 1, taskId: 7, body: { title: "Mine" }, ifMatch: '"3"', queuedAt: "" },
  status: 412,
  code: "precondition_failed",
  message: "The task changed.",
  current: makeTask({ id: 7, title: "Theirs", version: 4 }),
};

describe("changes made offline", () => {
  it("says how many wait to be sent, and nothing once they are sent", async () => {
    const queue = fakeQueue({ writes: [], pending: 2, conflicts: [] });
    renderInApp(<SyncStatus />);
    expect(screen.getByText(/2 changes are waiting to be sent/)).toHaveAttribute("role", "status");
    queue.tell({ writes: [], pending: 0, conflicts: [] });
    expect(screen.queryByText(/waiting to be sent/)).not.toBeInTheDocument();
  });

  it("shows an edit the server refused as a conflict: keep theirs, or save mine over the newer version", async () => {
    const queue = fakeQueue({ writes: [], pending: 0, conflicts: [conflict] });
    const api_ = stubRoutes({ "PATCH /api/tasks/7/": respond(200, makeTask({ id: 7, title: "Mine", version: 5 })) });
    renderInApp(<SyncStatus />);
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("Your offline change to “Theirs” was not saved: someone else changed the task meanwhile.");
    await userEvent.click(within(alert).getByRole("button", { name: "Save mine over theirs" }));
    const patch = api_.fetch.mock.calls.find(([url]) => url === "/api/tasks/7/")!;
    expect(JSON.parse(patch[1]!.body as string)).toEqual({ title: "Mine" });
    expect((patch[1]!.headers as Record<string, string>)["If-Match"]).toBe('"4"');
    expect(queue.dismiss).toHaveBeenCalledWith(conflict);
  });
});
