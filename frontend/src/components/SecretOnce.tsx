// A secret the server shows once and keeps only as a hash (an access token, a webhook's signing secret): in a
// read-only field to select or copy, with the warning that it cannot be shown again, until the person is done.
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import "./SecretOnce.css";

export function SecretOnce(props: {
  /** What the secret is, already translated ("Your new token “CI”"). */
  label: string;
  secret: string;
  /** The field's id, for the label and for focusing it when the clipboard is not available. */
  id: string;
  /** How to use it (an example), under the warning. */
  children?: ReactNode;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState<boolean | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied(true);
    } catch {
      // No clipboard (an insecure origin, or refused): the text is selected for the person to copy.
      setCopied(false);
      const field = document.getElementById(props.id);
      if (field instanceof HTMLInputElement) {
        field.focus();
        field.select();
      }
    }
  }

  return (
    <section className="panel secret-once" aria-labelledby={`${props.id}-label`}>
      <h2 id={`${props.id}-label`}>{props.label}</h2>
      <p className="field-note secret-warning">
        <strong>{t("Copy it now. You will not see it again.")}</strong>{" "}
        {t("TMS keeps only a fingerprint of it: if it is lost, make a new one.")}
      </p>
      <div className="secret-row">
        <input
          id={props.id}
          aria-labelledby={`${props.id}-label`}
          readOnly
          value={props.secret}
          spellCheck={false}
          onFocus={(e) => e.target.select()}
        />
        <button type="button" onClick={() => void copy()}>
          {t("Copy")}
        </button>
      </div>
      <p role="status" className="muted secret-status">
        {copied === true
          ? t("Copied.")
          : copied === false
            ? t("Copying is not allowed here: the text is selected, copy it with the keyboard.")
            : ""}
      </p>
      {props.children}
      <div className="actions">
        <button type="button" className="secondary" onClick={props.onDone}>
          {t("Done, I have copied it")}
        </button>
      </div>
    </section>
  );
}
