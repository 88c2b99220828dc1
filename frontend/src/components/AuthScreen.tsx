import { useState, type FormEvent } from "react";
import { tms } from "../api/tms";
import type { User } from "../api/types";
import { ErrorNote, Field } from "./common";

export function AuthScreen({ onSignedIn }: { onSignedIn: (user: User) => void }) {
  const [mode, setMode] = useState<"login" | "register">("login");
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
      if (mode === "register") await tms().register(username, email, password);
      onSignedIn(await tms().login(username, password));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
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
        <button type="button" className="link" onClick={() => { setMode(mode === "login" ? "register" : "login"); setError(null); }}>
          {mode === "login" ? "No account yet? Create one" : "Already have an account? Sign in"}
        </button>
      </form>
    </main>
  );
}
