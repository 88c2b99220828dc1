import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Task } from "../../api/types";
import { apiError, makeTask, page, respond, stubRoutes } from "../../test-support";
import { renderInApp } from "../../test-app";
import { Board } from "./Board";
import { reordered } from "./placement";

afterEach(() => vi.unstubAllGlobals());

const task = (id: number, title: string, status: Task["status"] = "todo") => makeTask({ id, title, status, position: id });
const start = [task(1, "A"), task(2, "B"), task(3, "C"), task(4, "D", "in_progress")];

/** A server that keeps the board's order: a move puts the card where it was asked to go. */
function stubBoard(refuse?: () => Response) {
  let cards = start;
  const move = (id: number) => (body: unknown) => {
    if (refuse) return refuse();
    const moved = cards.find((c) => c.id === id)!;
    cards = reordered(cards, moved, body as never);
    return respond(
      200,
      cards.find((c) => c.id === id),
    );
  };
  return stubRoutes({
    "GET /api/tasks/": () => respond(200, page(cards)),
    "POST /api/tasks/1/move/": move(1),
    "POST /api/tasks/2/move/": move(2),
  });
}

async function menuItem(title: string, item: string) {
  await userEvent.click(await screen.findByRole("button", { name: `Actions for ${title}` }));
  return screen.findByRole("menuitem", { name: item });
}

describe("the board's keyboard moves (the card's menu)", () => {
  it("moves a card down between its next neighbours, at once, and the focus follows the card", async () => {
    const api = stubBoard();
    renderInApp(<Board list={{ kind: "all" }} />);
    await userEvent.click(await menuItem("B", "Move down"));
    expect(api.calls("POST", "/api/tasks/2/move/")[0].body).toEqual({ status: "todo", after_id: 3 });
    const todo = screen.getByRole("group", { name: "To do" });
    expect(
      within(todo)
        .getAllByRole("article")
        .map((a) => a.getAttribute("aria-label")),
    ).toEqual(["A", "C", "B"]);
    await waitFor(() => expect(screen.getByRole("button", { name: "Actions for B" })).toHaveFocus());
  });

  it("moves a card to the end of another column and offers to undo it", async () => {
    const api = stubBoard();
    renderInApp(<Board list={{ kind: "all" }} />);
    await userEvent.click(await menuItem("A", "Move to In progress"));
    expect(api.calls("POST", "/api/tasks/1/move/")[0].body).toEqual({ status: "in_progress", after_id: 4 });
    const progress = screen.getByRole("group", { name: "In progress" });
    expect(within(progress).getByRole("article", { name: "A" })).toBeInTheDocument();
    // the keyboard focus followed the card into its new column
    await waitFor(() => expect(within(progress).getByRole("button", { name: "Actions for A" })).toHaveFocus());
    await userEvent.click(await screen.findByRole("button", { name: "Undo" }));
    expect(api.calls("POST", "/api/tasks/1/move/")[1].body).toEqual({ status: "todo", before_id: 2 });
  });

  it("cannot move the first card up", async () => {
    stubBoard();
    renderInApp(<Board list={{ kind: "all" }} />);
    expect(await menuItem("A", "Move up")).toHaveAttribute("data-disabled");
  });

  it("puts the card back and says why when the server refuses the move", async () => {
    stubBoard(() => apiError(400, "invalid", "That place is taken."));
    renderInApp(<Board list={{ kind: "all" }} />);
    await userEvent.click(await menuItem("B", "Move to Done"));
    expect(await screen.findByText("That place is taken.")).toBeInTheDocument();
    const todo = screen.getByRole("group", { name: "To do" });
    expect(within(todo).getByRole("article", { name: "B" })).toBeInTheDocument();
  });
});

describe("the board of a project that is no longer shared", () => {
  it("says the project is no longer available instead of a bare 'Not found'", async () => {
    stubRoutes({ "GET /api/tasks/": apiError(404, "not_found", "Not found.") });
    renderInApp(<Board list={{ kind: "project", id: 10 }} />);
    expect(await screen.findByRole("alert")).toHaveTextContent(/no longer available to you/);
  });
});
