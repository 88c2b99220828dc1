import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client";
import { tms } from "../api/tms";
import { ErrorNote, Field } from "./common";

/** Why the link did not work, in the API's words: the token's (or the address's) own message first. */
function LinkError({ error }: { error: unknown }) {
  const own = error instanceof ApiError ? (error.fieldMessage("token") ?? error.fieldMessage("email")) : undefined;
  if (!own) return <ErrorNote error={error} />;
  return (
    <p role="alert" className="error">
      {own}
    </p>
  );
}

/** The pages the links in TMS's mails open: reset a password, confirm or undo an email change. */
export type MailLink =
  | { kind: "reset-password"; uid: string; token: string }
  | { kind: "confirm-email"; token: string }
  | { kind: "revert-email"; token: string };

export function mailLinkFrom(location: { pathname: string; search: string }): MailLink | null {
  const query = new URLSearchParams(location.search);
  const token = query.get("token");
  if (!token) return null;
  const path = location.pathname.replace(/\/+$/, "");
  if (path === "/reset-password") {
    const uid = query.get("uid");
    return uid ? { kind: "reset-password", uid, token } : null;
  }
  if (path === "/confirm-email") return { kind: "confirm-email", token };
  if (path === "/revert-email") return { kind: "revert-email", token };
  return null;
}

export function MailLinkPage({ link }: { link: MailLink }) {
  const { t } = useTranslation();
  const titles: Record<MailLink["kind"], string> = {
    "reset-password": t("Choose a new password"),
    "confirm-email": t("Confirm your new email address"),
    "revert-email": t("Undo the email change"),
  };
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (link.kind === "reset-password") {
        await tms().resetPassword(link.uid, link.token, password);
        setDone(t("Your password is changed. Sign in with it on every device."));
      } else if (link.kind === "confirm-email") {
        const user = await tms().confirmEmail(link.token);
        setDone(t("Your account now uses {{email}}.", { email: user.email }));
      } else {
        const { detail } = await tms().revertEmail(link.token);
        setDone(detail);
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth">
      <h1>TMS</h1>
      <form onSubmit={submit} aria-label={titles[link.kind]}>
        <h2>{titles[link.kind]}</h2>
        {done ? (
          <p role="status">{done}</p>
        ) : (
          <>
            {link.kind === "reset-password" && (
              <Field label={t("New password (12 characters or more)")} name="new_password" error={error}>
                <input
                  id="new_password"
                  type="password"
                  autoComplete="new-password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  required
                />
              </Field>
            )}
            {link.kind === "revert-email" && (
              <p className="muted">
                {t(
                  "Your account goes back to this address, every device is signed out, and you choose a new password from a link we mail you.",
                )}
              </p>
            )}
            <LinkError error={error} />
            <button type="submit" disabled={busy}>
              {link.kind === "reset-password"
                ? t("Set password")
                : link.kind === "confirm-email"
                  ? t("Confirm address")
                  : t("Undo the change")}
            </button>
          </>
        )}
        <a href="/">{t("Go to TMS")}</a>
      </form>
    </main>
  );
}
