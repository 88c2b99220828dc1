// The ten recovery codes, shown once (after turning two-factor sign-in on, or making new ones): copy, download,
// then "I have saved them" puts them away for good.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useWorkspace } from "../../app/workspace";
import { copyText, downloadText, recoveryCodesText } from "./secret";

export function RecoveryCodeList(props: { codes: string[]; onDone: () => void }) {
  const { t } = useTranslation();
  const { user } = useWorkspace();
  const [copied, setCopied] = useState<boolean | null>(null);
  const text = () =>
    recoveryCodesText(t("TMS recovery codes for {{username}} (each works once)", { username: user.username }), props.codes);

  return (
    <div className="recovery-codes" role="group" aria-labelledby="recovery-codes-title">
      <h3 id="recovery-codes-title">{t("Your recovery codes")}</h3>
      <p>
        {t(
          "If you lose your phone, each of these codes signs you in once instead of a code from the app. Keep them somewhere safe: they are shown only now.",
        )}
      </p>
      <ol className="code-list" aria-label={t("Recovery codes")}>
        {props.codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="actions">
        <button type="button" className="secondary" onClick={async () => setCopied(await copyText(props.codes.join("\n")))}>
          {t("Copy")}
        </button>
        <button type="button" className="secondary" onClick={() => downloadText("tms-recovery-codes.txt", text())}>
          {t("Download (.txt)")}
        </button>
        <button type="button" onClick={props.onDone}>
          {t("I have saved them")}
        </button>
      </div>
      <p role="status" className="muted settings-status">
        {copied === true ? t("Copied.") : copied === false ? t("This browser did not allow copying: select the codes and copy them.") : ""}
      </p>
    </div>
  );
}
