import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client";
import { tms, type SignIn } from "../api/tms";
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
  // Set when the password was right for an account with two-factor sign-in: the second step's token.
  const [mfaToken, setMfaToken] = useState<string | null>(null);

  function signedIn(result: SignIn) {
    if ("user" in result) {
      onSignedIn(result.user);
      return;
    }
    setPassword("");
    setMfaToken(result.mfaToken);
  }

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
        signedIn(await tms().login(username, password));
        return;
      }
      signedIn(await tms().login(username, password));
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

  if (mfaToken !== null) {
    return (
      <SecondStep
        mfaToken={mfaToken}
        onSignedIn={onSignedIn}
        onStartAgain={() => {
          setMfaToken(null);
          setError(null);
        }}
      />
    );
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

/**
 * The second step of signing in to an account with two-factor sign-in: the code the authenticator app shows, or
 * (the phone lost) one of the recovery codes. Its token lasts five minutes; after that, "Start again".
 */
function SecondStep(props: { mfaToken: string; onSignedIn: (user: User) => void; onStartAgain: () => void }) {
  const { t } = useTranslation();
  const [method, setMethod] = useState<"totp" | "recovery">("totp");
  const [code, setCode] = useState("");
  const [recoveryCode, setRecoveryCode] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const failure = error instanceof ApiError ? error.code : null;
  const expired = failure === "mfa_token_invalid";
  const wrong = failure === "invalid_code";
  const field = useRef<HTMLInputElement>(null);
  // The field of the way chosen takes the focus (autoFocus covers the first; a switch keeps the link's focus otherwise).
  useEffect(() => field.current?.focus(), [method]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = method === "totp" ? { code } : { recovery_code: recoveryCode.trim() };
      props.onSignedIn(await tms().loginSecondStep(props.mfaToken, answer));
    } catch (caught) {
      setError(caught);
      setBusy(false);
      // A wrong code is typed again: the field takes the focus, its text selected.
      if (caught instanceof ApiError && caught.code === "invalid_code") {
        field.current?.focus();
        field.current?.select();
      }
    }
  }

  function switchTo(next: "totp" | "recovery") {
    setMethod(next);
    setError(null);
  }

  return (
    <main className="auth">
      <h1>TMS</h1>
      <form onSubmit={submit} aria-label={t("Two-factor sign-in")}>
        <h2>{t("Two-factor sign-in")}</h2>
        {method === "totp" ? (
          <>
            <p className="muted" id="second-step-hint">
              {t("Enter the 6-digit code your authenticator app shows for TMS.")}
            </p>
            <div className="field">
              <label htmlFor="mfa-code">{t("6-digit code")}</label>
              <input
                id="mfa-code"
                ref={field}
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                // eslint-disable-next-line jsx-a11y/no-autofocus -- the step is there to type the code
                autoFocus
                required
                aria-describedby="second-step-hint"
                aria-invalid={wrong}
                value={code}
                // Digits only: a code pasted as "123 456" is still the code.
                onChange={(e) => setCode(e.target.value.replace(/\D/g, "").slice(0, 6))}
              />
            </div>
          </>
        ) : (
          <>
            <p className="muted" id="second-step-hint">
              {t("Enter one of the recovery codes you saved when you turned on two-factor sign-in. Each works once.")}
            </p>
            <div className="field">
              <label htmlFor="mfa-recovery-code">{t("Recovery code")}</label>
              <input
                id="mfa-recovery-code"
                ref={field}
                autoComplete="off"
                autoCapitalize="off"
                spellCheck={false}
                // eslint-disable-next-line jsx-a11y/no-autofocus -- the step is there to type the code
                autoFocus
                required
                aria-describedby="second-step-hint"
                aria-invalid={wrong}
                value={recoveryCode}
                onChange={(e) => setRecoveryCode(e.target.value)}
              />
            </div>
          </>
        )}
        {expired ? (
          <p role="alert" className="error">
            {t("This sign-in took too long and has expired. Start again with your password.")}
          </p>
        ) : wrong ? (
          <p role="alert" className="error">
            {method === "totp"
              ? t("That code is not right. Enter the code the app shows now (each code works once).")
              : t("That recovery code is not right, or it was used before.")}
          </p>
        ) : (
          <ErrorNote error={error} />
        )}
        {expired ? (
          <button type="button" onClick={props.onStartAgain}>
            {t("Start again")}
          </button>
        ) : (
          <>
            <button type="submit" disabled={busy}>
              {t("Verify")}
            </button>
            <button type="button" className="link" onClick={() => switchTo(method === "totp" ? "recovery" : "totp")}>
              {method === "totp" ? t("Use a recovery code instead") : t("Use the code from the app instead")}
            </button>
            <button type="button" className="link" onClick={props.onStartAgain}>
              {t("Start again")}
            </button>
          </>
        )}
      </form>
    </main>
  );
}
