// Where a card lands on the board: the cards it ends up between, from the column as shown.
import type { Status, Task } from "../../api/types";
import type { BoardPlace } from "../tasks/useTaskActions";

/** The place of `task` moved into `status` at `index` (0 = top), among that column's other cards. */
export function placeAt(column: Task[], task: Task, status: Status, index: number): BoardPlace {
  const others = column.filter((t) => t.id !== task.id);
  const at = Math.max(0, Math.min(index, others.length));
  return { status, after_id: others[at - 1]?.id, before_id: others[at]?.id };
}

/** Where the card is now (for Undo). */
export function placeOf(column: Task[], task: Task): BoardPlace {
  return placeAt(
    column,
    task,
    task.status,
    column.findIndex((t) => t.id === task.id),
  );
}

/** The board's tasks with `task` moved to `place`: what the board shows before the server answers. */
export function reordered(tasks: Task[], task: Task, place: BoardPlace): Task[] {
  const moved = { ...task, status: place.status };
  const rest = tasks.filter((t) => t.id !== task.id);
  const before = place.before_id === undefined ? -1 : rest.findIndex((t) => t.id === place.before_id);
  if (before >= 0) return [...rest.slice(0, before), moved, ...rest.slice(before)];
  const after = place.after_id === undefined ? -1 : rest.findIndex((t) => t.id === place.after_id);
  if (after >= 0) return [...rest.slice(0, after + 1), moved, ...rest.slice(after + 1)];
  return [...rest, moved];
}
