// The keyboard shortcuts, listed: "?" opens it. Keys are written as bindings name them: "g i" is g, then i;
// "j / k" is either key.
import * as Dialog from "@radix-ui/react-dialog";
import { Fragment } from "react";
import { useTranslation } from "react-i18next";

export interface Shortcut {
  /** "q", "g i" (a sequence), "j / k" (alternatives). */
  keys: string;
  /** What it does, already in the app's language. */
  action: string;
}

export function ShortcutsHelp(props: { open: boolean; onOpenChange(open: boolean): void; shortcuts: Shortcut[] }) {
  const { t } = useTranslation();
  return (
    <Dialog.Root open={props.open} onOpenChange={props.onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog-content shortcuts-help" aria-modal="true" aria-describedby={undefined}>
          <div className="panel-head">
            <Dialog.Title className="shortcuts-title">{t("Keyboard shortcuts")}</Dialog.Title>
            <Dialog.Close className="icon-button" aria-label={t("Close")}>
              ×
            </Dialog.Close>
          </div>
          <dl className="shortcuts">
            {props.shortcuts.map((shortcut) => (
              <Fragment key={shortcut.keys}>
                <dt>
                  <Keys keys={shortcut.keys} />
                </dt>
                <dd>{shortcut.action}</dd>
              </Fragment>
            ))}
          </dl>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function Keys(props: { keys: string }) {
  const { t } = useTranslation();
  // " / " between alternatives; a lone "/" is the slash key itself.
  const alternatives = props.keys.split(" / ");
  return alternatives.map((alternative, a) => (
    <Fragment key={a}>
      {a > 0 && " / "}
      {alternative
        .split(" ")
        .filter(Boolean)
        .map((key, k) => (
          <Fragment key={k}>
            {k > 0 && ` ${t("then")} `}
            <kbd>{key}</kbd>
          </Fragment>
        ))}
    </Fragment>
  ));
}
