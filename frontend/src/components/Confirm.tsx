// Ask before what cannot be undone (emptying the trash, revoking a token, deleting a webhook): a dialog naming the
// consequence.
import * as Dialog from "@radix-ui/react-dialog";
import { useTranslation } from "react-i18next";

export function Confirm(props: {
  title: string;
  text: string;
  action: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onCancel()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog-content" aria-modal="true">
          <Dialog.Title className="quick-add-title">{props.title}</Dialog.Title>
          <Dialog.Description>{props.text}</Dialog.Description>
          <div className="actions">
            <button type="button" className="danger" disabled={props.busy} onClick={props.onConfirm}>
              {props.action}
            </button>
            <Dialog.Close className="secondary">{t("Cancel")}</Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
