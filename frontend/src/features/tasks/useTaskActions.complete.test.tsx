// Completing a repeating task: the server answers with the task back to do at its next date, and that answer (not
// the optimistic "done") is what the lists show.
import { screen, waitFor } from "@testing-library/react";
import { useEffect } from "react";
import { afterEach, expect, it, vi } from "vitest";
import type { InfiniteData } from "@tanstack/react-query";
import type { Page, Task } from "../../api/types";
import { keys, queryClient } from "../../app/queries";
import { renderInApp } from "../../test-app";
import { makeTask, page, respond, stubRoutes } from "../../test-support";
import { useTaskActions } from "./useTaskActions";

afterEach(() => vi.unstubAllGlobals());

type Actions = ReturnType<typeof useTaskActions>;
const held: { current: Actions | null } = { current: null };
function Probe() {
  const actions = useTaskActions();
  useEffect(() => {
    held.current = actions;
  });
  return null;
}
const actions = {
  complete: (task: Task) => held.current!.complete(task),
};

const listKey = keys.list({ status: "todo" } as never);
const cached = () => (queryClient.getQueryData<InfiniteData<Page<Task>>>(listKey)?.pages[0].results ?? [])[0];

it("shows the server's answer after completing: a repeating task back to do with its next date", async () => {
  const water = makeTask({
    id: 5,
    title: "Water the plants",
    due_date: "2026-11-30",
    ...({ recurrence: "FREQ=WEEKLY;BYDAY=MO" } as object),
  });
  const next = { ...water, status: "todo", due_date: "2026-12-07", version: 2 };
  let answer: (value: Response) => void = () => undefined;
  stubRoutes({
    // The server answers when the test says so (a promise where the stub takes a response: fetch awaits it).
    "POST /api/tasks/5/complete/": () => new Promise<Response>((resolve) => (answer = resolve)) as unknown as Response,
    "GET /api/tasks/": respond(200, page([next])),
  });
  renderInApp(<Probe />);
  // A list that never refetches here, so what it holds is what the action left in it.
  queryClient.setQueryDefaults(listKey, { staleTime: Infinity, enabled: false });
  queryClient.setQueryData(listKey, { pages: [page([water])], pageParams: [null] });
  const done = actions.complete(water);
  await waitFor(() => expect(cached()?.status).toBe("done")); // at once, before the answer
  answer(respond(200, next));
  await done;
  expect(cached()).toMatchObject({ status: "todo", due_date: "2026-12-07", version: 2 });
  expect(await screen.findByText("Completed “Water the plants”; next due Mon 7 Dec")).toBeInTheDocument();
  expect(screen.queryByRole("button", { name: "Undo" })).not.toBeInTheDocument();
});

it("offers Undo for a task that stays done", async () => {
  const report = makeTask({ id: 6, title: "Report" });
  stubRoutes({ "POST /api/tasks/6/complete/": () => respond(200, { ...report, status: "done", version: 2 }) });
  renderInApp(<Probe />);
  queryClient.setQueryData(listKey, { pages: [page([report])], pageParams: [null] });
  await actions.complete(report);
  expect(await screen.findByText("Completed “Report”")).toBeInTheDocument();
  expect(screen.getByRole("button", { name: /Undo/ })).toBeInTheDocument();
});
