import { useState, type FormEvent } from "react";
import { tms } from "../api/tms";
import type { User } from "../api/types";
import { ErrorNote, Field } from "./common";

export function AuthScreen({ onSignedIn }: { onSignedIn: (user: User) => void }) {
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
      if (mode === "register") await tms().register(username, email, password);
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
        <form onSubmit={submit} aria-label="Reset your password">
          <h2>Reset your password</h2>
          <Field label="Email" name="email" error={error}>
            <input id="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </Field>
          <ErrorNote error={error} />
          {sent && <p role="status">{sent}</p>}
          <button type="submit" disabled={busy}>
            Mail me a link
          </button>
          <button type="button" className="link" onClick={() => switchTo("login")}>
            Back to sign in
          </button>
        </form>
      </main>
    );
  }

  return (
    <main className="auth">
      <h1>TMS</h1>
      <form onSubmit={submit} aria-label={mode === "login" ? "Sign in" : "Create an account"}>
        <h2>{mode === "login" ? "Sign in" : "Create an account"}</h2>
        <Field label={mode === "login" ? "Username or email" : "Username"} name="username" error={error}>
          <input id="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </Field>
        {mode === "register" && (
          <Field label="Email" name="email" error={error}>
            <input id="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </Field>
        )}
        <Field label="Password" name="password" error={error}>
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
          {mode === "login" ? "Sign in" : "Create account"}
        </button>
        <button type="button" className="link" onClick={() => switchTo(mode === "login" ? "register" : "login")}>
          {mode === "login" ? "No account yet? Create one" : "Already have an account? Sign in"}
        </button>
        {mode === "login" && (
          <button type="button" className="link" onClick={() => switchTo("forgot")}>
            Forgot password?
          </button>
        )}
      </form>
    </main>
  );
}
