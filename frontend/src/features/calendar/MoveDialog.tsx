// "Move to date…": the keyboard's (and anyone's) way to give a task another day, without dragging it.
import * as Dialog from "@radix-ui/react-dialog";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { parseDate } from "./range";
import type { CalendarTask } from "./tasks";

export function MoveDialog(props: { task: CalendarTask; onClose: () => void; onMove: (day: string) => void }) {
  const { t } = useTranslation();
  const [day, setDay] = useState(props.task.due_date ?? "");
  const valid = parseDate(day) !== null;
  function submit(event: FormEvent) {
    event.preventDefault();
    if (valid) props.onMove(day);
  }
  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog-content" aria-modal="true" aria-describedby={undefined}>
          <Dialog.Title className="shortcuts-title">{t("Move “{{title}}” to another day", { title: props.task.title })}</Dialog.Title>
          <form className="editor" onSubmit={submit}>
            <div className="field">
              <label htmlFor="move-to-date">{t("New due date")}</label>
              {/* The dialog is there to type the date: it takes the focus. */}
              {/* eslint-disable-next-line jsx-a11y/no-autofocus */}
              <input id="move-to-date" type="date" value={day} required autoFocus onChange={(e) => setDay(e.target.value)} />
            </div>
            <div className="actions">
              <button type="submit" disabled={!valid}>
                {t("Move")}
              </button>
              <Dialog.Close className="secondary" type="button">
                {t("Cancel")}
              </Dialog.Close>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
