// A task moved to another day: shown at once in the calendar, sent as a PATCH of its due date with If-Match (its due
// time stays), put back with the server's reason if refused, and undoable from the toast.
import { useTranslation } from "react-i18next";
import { tms } from "../../api/tms";
import { queryClient, refreshTasks, restoreTasks, snapshotTasks } from "../../app/queries";
import { useToast } from "../../app/toast";
import { messageOf } from "../../components/common";
import { localeOf } from "../../lib/locale";
import { inOrder } from "../tasks/useTaskActions";
import { dayDate } from "./range";
import type { CalendarTask } from "./tasks";

export function useMoveToDate(queryKey: readonly unknown[]) {
  const { t, i18n } = useTranslation();
  const toast = useToast();

  const setDay = (id: number, change: (task: CalendarTask) => CalendarTask) =>
    queryClient.setQueryData<CalendarTask[]>(queryKey, (tasks) => tasks?.map((task) => (task.id === id ? change(task) : task)));

  return async function move(task: CalendarTask, day: string): Promise<boolean> {
    await queryClient.cancelQueries({ queryKey: ["tasks"] });
    const snapshot = snapshotTasks();
    const from = task.due_date;
    // The time of day stays; the instant moves with the date (the server sends the exact one back).
    setDay(task.id, (cached) => ({ ...cached, due_date: day }));
    const when = new Intl.DateTimeFormat(localeOf(i18n.language), {
      weekday: "short",
      day: "numeric",
      month: "short",
      timeZone: "UTC",
    }).format(dayDate(day));
    try {
      const saved = (await inOrder(task.id, () => tms().updateTask(task, { due_date: day }))) as CalendarTask;
      setDay(task.id, () => saved);
      toast({
        message: t("Moved “{{title}}” to {{day}}", { title: task.title, day: when }),
        undo: () => tms().updateTask(saved, { due_date: from }).finally(refreshTasks),
      });
      return true;
    } catch (caught) {
      restoreTasks(snapshot);
      toast({ message: messageOf(caught), tone: "error" });
      return false;
    } finally {
      void refreshTasks();
    }
  };
}
