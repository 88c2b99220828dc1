import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { tms } from "../api/tms";
import type { User } from "../api/types";
import { ErrorNote, Field } from "./common";

/** The browser's IANA time zone, or null where Intl does not say. */
function browserTimeZone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

export function AuthScreen({ onSignedIn }: { onSignedIn: (user: User) => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<"login" | "register" | "forgot">("login");
  const [sent, setSent] = useState<string | null>(null);
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === "forgot") {
        setSent((await tms().requestPasswordReset(email)).detail);
        return;
      }
      if (mode === "register") {
        // A new account starts in the browser's time zone (an unknown one is left out: UTC).
        await tms().register(username, email, password, browserTimeZone() ?? undefined);
        onSignedIn(await tms().login(username, password));
        return;
      }
      onSignedIn(await tms().login(username, password));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  function switchTo(next: "login" | "register" | "forgot") {
    setMode(next);
    setError(null);
    setSent(null);
  }

  if (mode === "forgot") {
    return (
      <main className="auth">
        <h1>TMS</h1>
        <form onSubmit={submit} aria-label={t("Reset your password")}>
          <h2>{t("Reset your password")}</h2>
          <Field label={t("Email")} name="email" error={error}>
            <input id="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </Field>
          <ErrorNote error={error} />
          {sent && <p role="status">{sent}</p>}
          <button type="submit" disabled={busy}>
            {t("Mail me a link")}
          </button>
          <button type="button" className="link" onClick={() => switchTo("login")}>
            {t("Back to sign in")}
          </button>
        </form>
      </main>
    );
  }

  return (
    <main className="auth">
      <h1>TMS</h1>
      <form onSubmit={submit} aria-label={mode === "login" ? t("Sign in") : t("Create an account")}>
        <h2>{mode === "login" ? t("Sign in") : t("Create an account")}</h2>
        <Field label={mode === "login" ? t("Username or email") : t("Username")} name="username" error={error}>
          <input id="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </Field>
        {mode === "register" && (
          <Field label={t("Email")} name="email" error={error}>
            <input id="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </Field>
        )}
        <Field label={t("Password")} name="password" error={error}>
          <input
            id="password"
            type="password"
            autoComplete={mode === "login" ? "current-password" : "new-password"}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </Field>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          {mode === "login" ? t("Sign in") : t("Create account")}
        </button>
        <button type="button" className="link" onClick={() => switchTo(mode === "login" ? "register" : "login")}>
          {mode === "login" ? t("No account yet? Create one") : t("Already have an account? Sign in")}
        </button>
        {mode === "login" && (
          <button type="button" className="link" onClick={() => switchTo("forgot")}>
            {t("Forgot password?")}
          </button>
        )}
      </form>
    </main>
  );
}
