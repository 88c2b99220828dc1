// What a task row's menu offers, and the checkbox: open, history, trash; complete or reopen.
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router";
import type { Task } from "../../api/types";
import type { MenuAction } from "./TaskMenu";
import { useTaskActions } from "./useTaskActions";

export function useRowActions() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const actions = useTaskActions();
  const open = (task: Task, how?: "edit" | "history") =>
    navigate(`/tasks/${task.id}${how === "edit" ? "?edit=1" : how === "history" ? "?panel=history" : ""}`, {
      state: { background: location },
    });
  return {
    ...actions,
    open,
    menu: (task: Task, canEdit: boolean): MenuAction[] => [
      { label: canEdit ? t("Edit") : t("Open"), onSelect: () => open(task, canEdit ? "edit" : undefined) },
      { label: t("History"), onSelect: () => open(task, "history") },
      ...(canEdit ? [{ label: t("Move to trash"), onSelect: () => void actions.trash(task), danger: true }] : []),
    ],
  };
}
