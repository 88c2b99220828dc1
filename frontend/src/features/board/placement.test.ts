import type { Task } from "../../api/types";
import { placeAt, placeOf, reordered } from "./placement";

const task = (id: number, status: Task["status"] = "todo") => ({ id, status, title: `T${id}` }) as Task;

describe("placement on the board", () => {
  const a = task(1);
  const b = task(2);
  const c = task(3);
  const column = [a, b, c];

  it("puts a card between the neighbours it lands between, leaving itself out", () => {
    expect(placeAt(column, a, "todo", 2)).toEqual({ status: "todo", after_id: 3, before_id: undefined });
    expect(placeAt(column, c, "todo", 0)).toEqual({ status: "todo", after_id: undefined, before_id: 1 });
    expect(placeAt([b, c], task(9, "done"), "todo", 1)).toEqual({ status: "todo", after_id: 2, before_id: 3 });
  });

  it("says where a card is now, so a move can be undone", () => {
    expect(placeOf(column, b)).toEqual({ status: "todo", after_id: 1, before_id: 3 });
  });

  it("shows the move at once: the card sits before its new lower neighbour with its new status", () => {
    const d = task(4, "done");
    const moved = reordered([a, b, c, d], a, { status: "done", after_id: undefined, before_id: 4 });
    expect(moved.map((t) => [t.id, t.status])).toEqual([
      [2, "todo"],
      [3, "todo"],
      [1, "done"],
      [4, "done"],
    ]);
    expect(reordered([a, b, c], c, { status: "todo", after_id: 1 }).map((t) => t.id)).toEqual([1, 3, 2]);
    expect(reordered([a, b], a, { status: "in_progress" }).map((t) => t.id)).toEqual([2, 1]);
  });
});
