// A task's less frequent actions in one menu (a button that shows on hover and focus), not a row of buttons per task.
import * as Menu from "@radix-ui/react-dropdown-menu";
import { useTranslation } from "react-i18next";
import type { Task } from "../../api/types";

export interface MenuAction {
  label: string;
  onSelect: () => void;
  danger?: boolean;
  disabled?: boolean;
}

export function TaskMenu(props: { task: Task; actions: MenuAction[]; onClosed?: (event: Event) => void }) {
  const { t } = useTranslation();
  if (props.actions.length === 0) return null;
  return (
    <Menu.Root modal={false}>
      <Menu.Trigger className="menu-trigger" aria-label={t("Actions for {{title}}", { title: props.task.title })}>
        ⋯
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content className="menu" align="end" sideOffset={4} loop onCloseAutoFocus={props.onClosed}>
          {props.actions.map((action) => (
            <Menu.Item
              key={action.label}
              className={action.danger ? "menu-item danger" : "menu-item"}
              disabled={action.disabled}
              onSelect={action.onSelect}
            >
              {action.label}
            </Menu.Item>
          ))}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
