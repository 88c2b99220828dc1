// A task's one-click changes (complete, reopen, trash, move), shown at once and put back if the server refuses,
// each followed by a toast that can undo it.
import { useTranslation } from "react-i18next";
import { tms } from "../../api/tms";
import type { Status, Task } from "../../api/types";
import { refreshTasks, restoreTasks, snapshotTasks, patchCachedTask, queryClient } from "../../app/queries";
import { useToast, type Toast } from "../../app/toast";
import { messageOf } from "../../components/common";
import { relativeDay } from "../../lib/dates";
import { useWorkspaceToday } from "../time/useWorkspaceToday";

/** Where a card sits on the board: its column, and the cards it sits between. */
export interface BoardPlace {
  status: Status;
  after_id?: number;
  before_id?: number;
}

// The changes sent for each task, one after another: a complete clicked while a move is still on its way must
// reach the server after it (sent side by side, the move could land last and undo the complete).
const inFlight = new Map<number, Promise<unknown>>();

export function inOrder<T>(id: number, call: () => Promise<T>): Promise<T> {
  const next = (inFlight.get(id) ?? Promise.resolve()).catch(() => undefined).then(call);
  inFlight.set(id, next);
  const settled = () => {
    if (inFlight.get(id) === next) inFlight.delete(id);
  };
  next.then(settled, settled);
  return next;
}

export function useTaskActions() {
  const { t, i18n } = useTranslation();
  const toast = useToast();
  const today = useWorkspaceToday();

  /**
   * Show `optimistic` now; run `call`; on failure put every task list back and say why. `done` is the toast, or makes
   * it from the server's answer.
   */
  async function change<T>(
    task: Task,
    optimistic: () => void,
    call: () => Promise<T>,
    done: Toast | ((answer: T) => Toast),
  ): Promise<boolean> {
    await queryClient.cancelQueries({ queryKey: ["tasks"] });
    const snapshot = snapshotTasks();
    optimistic();
    try {
      const answer = await inOrder(task.id, call);
      toast(typeof done === "function" ? done(answer) : done);
      return true;
    } catch (caught) {
      restoreTasks(snapshot);
      toast({ message: messageOf(caught), tone: "error" });
      return false;
    } finally {
      void refreshTasks();
    }
  }

  const withStatus = (task: Task, status: Status) => patchCachedTask(task.id, (cached) => ({ ...cached, status }));

  /** The server's answer replaces the optimistic copy: a repeating task comes back to do, with its next date. */
  const settle = async (answer: Promise<Task>) => {
    const saved = await answer;
    if (saved && typeof saved === "object" && saved.id !== undefined) patchCachedTask(saved.id, () => saved);
    return saved;
  };

  function complete(task: Task) {
    return change(
      task,
      () => withStatus(task, "done"),
      () => settle(tms().complete(task)),
      (saved): Toast =>
        saved && saved.status !== "done" && saved.due_date
          ? {
              // Repeats: the completion is in its history; it is due again (Undo would not bring this one back).
              message: t("Completed “{{title}}”; next due {{day}}", {
                title: task.title,
                day: relativeDay(saved.due_date, today ?? saved.due_date, i18n.language),
              }),
            }
          : { message: t("Completed “{{title}}”", { title: task.title }), undo: () => tms().reopen(task).finally(refreshTasks) },
    );
  }

  function reopen(task: Task) {
    return change(
      task,
      () => withStatus(task, "todo"),
      () => settle(tms().reopen(task)),
      { message: t("Reopened “{{title}}”", { title: task.title }), undo: () => tms().complete(task).finally(refreshTasks) },
    );
  }

  function trash(task: Task) {
    return change(
      task,
      () => patchCachedTask(task.id, () => undefined),
      () => tms().trash(task),
      { message: t("Moved “{{title}}” to the trash", { title: task.title }), undo: () => tms().restore(task).finally(refreshTasks) },
    );
  }

  /** Move on the board; `from` is where it was, for Undo. `reorder` shows the move at once in the board's cache. */
  function move(task: Task, to: BoardPlace, from: BoardPlace, reorder: () => void) {
    return change(task, reorder, () => tms().move(task, to), {
      message: t("Moved “{{title}}”", { title: task.title }),
      undo: () => tms().move(task, from).finally(refreshTasks),
    });
  }

  return { complete, reopen, trash, move, toggleDone: (task: Task) => (task.status === "done" ? reopen(task) : complete(task)) };
}
