// Turning two-factor sign-in off and making new recovery codes both ask again for the password and a code
// (from the app, or a recovery code): someone at an unlocked computer cannot do either.
import * as Dialog from "@radix-ui/react-dialog";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { ErrorNote, Field } from "../../components/common";

export function PasswordAndCodeDialog(props: {
  title: string;
  description: string;
  submit: string;
  danger?: boolean;
  onSubmit: (password: string, code: string) => Promise<void>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const wrong = error instanceof ApiError && error.code === "invalid_code";

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(password, code.trim());
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog-content" aria-modal="true">
          <Dialog.Title className="shortcuts-title">{props.title}</Dialog.Title>
          <Dialog.Description className="muted">{props.description}</Dialog.Description>
          <form className="editor" onSubmit={submit}>
            <Field label={t("Password")} name="password" id="confirm-password" error={error}>
              <input
                id="confirm-password"
                type="password"
                autoComplete="current-password"
                // eslint-disable-next-line jsx-a11y/no-autofocus -- the dialog is there to type these
                autoFocus
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </Field>
            <Field label={t("Code from the app, or a recovery code")} name="code" id="confirm-code" error={error}>
              <input
                id="confirm-code"
                autoComplete="one-time-code"
                autoCapitalize="off"
                spellCheck={false}
                required
                aria-invalid={wrong}
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            </Field>
            {wrong ? (
              <p role="alert" className="error">
                {t("That code is not right. Enter the code the app shows now, or an unused recovery code.")}
              </p>
            ) : (
              <ErrorNote error={error} />
            )}
            <div className="actions">
              <button type="submit" className={props.danger ? "danger" : undefined} disabled={busy}>
                {props.submit}
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
