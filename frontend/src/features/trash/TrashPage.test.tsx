import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeTask, page, respond, stubRoutes } from "../../test-support";
import { renderInApp } from "../../test-app";
import { TrashPage } from "./TrashPage";

afterEach(() => vi.unstubAllGlobals());

function stubTrash(initial: number[]) {
  let trashed = initial.map((id) => makeTask({ id, title: `Old ${id}` }));
  const routes: Record<string, (body: unknown, url: string) => Response> = {
    "GET /api/tasks/trash/": () => respond(200, page(trashed)),
    "GET /api/tasks/projects/trash/": () => respond(200, page([])),
  };
  for (const id of initial)
    routes[`DELETE /api/tasks/trash/${id}/`] = () => {
      trashed = trashed.filter((t) => t.id !== id);
      return respond(204);
    };
  return stubRoutes(routes);
}

describe("the trash", () => {
  it("deletes a task forever only after a confirmation", async () => {
    const api = stubTrash([1, 2]);
    renderInApp(<TrashPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Delete Old 1 forever" }));
    const dialog = screen.getByRole("dialog", { name: "Delete “Old 1” forever?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(api.calls("DELETE", "/api/tasks/trash/1/")).toHaveLength(0);
    await userEvent.click(screen.getByRole("button", { name: "Delete Old 1 forever" }));
    await userEvent.click(screen.getByRole("button", { name: "Delete forever" }));
    expect(await screen.findByText("Deleted “Old 1” for good.")).toBeInTheDocument();
    expect(api.calls("DELETE", "/api/tasks/trash/1/")).toHaveLength(1);
    expect(screen.queryByText("Old 1")).not.toBeInTheDocument();
  });

  it("empties the trash, every task in it, after a confirmation", async () => {
    const api = stubTrash([1, 2, 3]);
    renderInApp(<TrashPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Empty the trash" }));
    await userEvent.click(screen.getByRole("button", { name: "Delete them forever" }));
    expect(await screen.findByText("Deleted 3 tasks for good.")).toBeInTheDocument();
    expect(api.fetch.mock.calls.filter(([, init]) => init?.method === "DELETE")).toHaveLength(3);
    expect(await screen.findByText("The trash is empty.")).toBeInTheDocument();
  });
});
