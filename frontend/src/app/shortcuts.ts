// The app's keyboard shortcuts (the `?` overlay lists them): move between tasks, act on the one in focus, go places.
import { useNavigate, useLocation } from "react-router";
import { useShortcuts } from "../features/shortcuts/useShortcuts";
import { useTaskActions } from "../features/tasks/useTaskActions";
import { boardPath, type ListKey } from "./places";
import { cachedTask } from "./queries";
import { useUndo } from "./toast";
import { translatable } from "../i18n";

export const SHORTCUTS: { keys: string; action: string }[] = [
  { keys: "q", action: translatable("Quick add a task") },
  { keys: "n", action: translatable("New task with every field") },
  { keys: "j / k", action: translatable("Next / previous task") },
  { keys: "x", action: translatable("Complete or reopen the task in focus") },
  { keys: "e", action: translatable("Edit the task in focus") },
  { keys: "#", action: translatable("Move the task in focus to the trash") },
  { keys: "u", action: translatable("Undo the last change") },
  { keys: "/", action: translatable("Search") },
  { keys: "g i", action: translatable("Go to the Inbox") },
  { keys: "g t", action: translatable("Go to Today") },
  { keys: "g u", action: translatable("Go to Upcoming") },
  { keys: "g c", action: translatable("Go to the calendar") },
  { keys: "g b", action: translatable("Show this list as a board") },
  { keys: "?", action: translatable("Show the keyboard shortcuts") },
];

const rows = () => Array.from(document.querySelectorAll<HTMLElement>("main [data-task-id]"));

function focusedRow(): HTMLElement | null {
  return document.activeElement instanceof HTMLElement ? document.activeElement.closest<HTMLElement>("[data-task-id]") : null;
}

/** Focus the next (or previous) task's title, starting from the first. */
function step(by: 1 | -1) {
  const all = rows();
  if (all.length === 0) return;
  const at = all.indexOf(focusedRow() as HTMLElement);
  const next = all[at === -1 ? (by === 1 ? 0 : all.length - 1) : Math.max(0, Math.min(all.length - 1, at + by))];
  next.querySelector<HTMLElement>(".task-title")?.focus();
}

export function useAppShortcuts(props: { quickAdd: () => void; help: () => void; newTask: () => void; list: ListKey; enabled: boolean }) {
  const navigate = useNavigate();
  const location = useLocation();
  const actions = useTaskActions();
  const undo = useUndo();
  const withFocused = (act: (id: number) => void) => () => {
    const row = focusedRow();
    if (row) act(Number(row.dataset.taskId));
  };
  useShortcuts(
    {
      q: (event) => {
        event.preventDefault(); // the q must not land in the quick add field
        props.quickAdd();
      },
      n: (event) => {
        event.preventDefault();
        props.newTask();
      },
      "?": props.help,
      "/": (event) => {
        event.preventDefault();
        document.querySelector<HTMLInputElement>("#search")?.focus();
      },
      j: () => step(1),
      k: () => step(-1),
      x: withFocused((id) => {
        const task = cachedTask(id);
        if (task) void actions.toggleDone(task);
      }),
      e: withFocused((id) => navigate(`/tasks/${id}?edit=1`, { state: { background: location } })),
      "#": withFocused((id) => {
        const task = cachedTask(id);
        if (task) void actions.trash(task);
      }),
      u: undo,
      "g i": () => navigate("/inbox"),
      "g t": () => navigate("/today"),
      "g u": () => navigate("/upcoming"),
      "g c": () => navigate("/calendar"),
      "g b": () => navigate(boardPath(props.list)),
    },
    props.enabled,
  );
}
