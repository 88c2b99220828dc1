// Turning two-factor sign-in on: scan the QR code (or type the key) into an authenticator app, then confirm with
// the code it shows; the answer is the recovery codes.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { ErrorNote, Field } from "../../components/common";
import { securityApi, type Enrolment } from "./api";
import { copyText, groupSecret, qrImageSource } from "./secret";

export function EnrolmentSteps(props: { enrolment: Enrolment; onConfirmed: (codes: string[]) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const { secret, otpauth_uri, qr_svg } = props.enrolment;
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState<boolean | null>(null);
  const wrong = error instanceof ApiError && error.code === "invalid_code";

  async function confirm(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onConfirmed((await securityApi().confirm(password, code)).recovery_codes);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <ol className="enrol-steps">
      <li>
        <p>{t("Scan this QR code with an authenticator app on your phone (such as Aegis, FreeOTP, Google Authenticator or 1Password).")}</p>
        {/* The server's SVG as an image, never as markup in the page. */}
        <img
          className="qr"
          src={qrImageSource(qr_svg)}
          alt={t("QR code of your two-factor key, for an authenticator app")}
          width={192}
          height={192}
        />
        <p>{t("Or enter this key by hand:")}</p>
        <div className="secret-row">
          <code id="totp-secret" className="secret" aria-label={t("Key for entering by hand")}>
            {groupSecret(secret)}
          </code>
          <button type="button" className="secondary" onClick={async () => setCopied(await copyText(secret))}>
            {t("Copy key")}
          </button>
        </div>
        <p role="status" className="muted settings-status">
          {copied === true ? t("Copied.") : copied === false ? t("This browser did not allow copying: select the key and copy it.") : ""}
        </p>
        <p>
          <a href={otpauth_uri}>{t("On this phone? Open the key in your authenticator app")}</a>
        </p>
      </li>
      <li>
        <p>{t("Then confirm with your password and the code the app shows for TMS.")}</p>
        <form className="enrol-confirm" onSubmit={confirm} aria-label={t("Confirm two-factor sign-in")}>
          <Field label={t("Password")} name="password" id="enrol-password" error={error}>
            <input
              id="enrol-password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
          <div className="field">
            <label htmlFor="enrol-code">{t("6-digit code from the app")}</label>
            <input
              id="enrol-code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              aria-invalid={wrong}
              value={code}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, "").slice(0, 6))}
            />
          </div>
          {wrong ? (
            <p role="alert" className="error">
              {t("That code is not right. Check that the phone's clock is right and enter the code the app shows now.")}
            </p>
          ) : (
            <ErrorNote error={error} />
          )}
          <div className="actions">
            <button type="submit" disabled={busy}>
              {t("Confirm")}
            </button>
            <button type="button" className="secondary" onClick={props.onCancel}>
              {t("Cancel")}
            </button>
          </div>
        </form>
      </li>
    </ol>
  );
}
