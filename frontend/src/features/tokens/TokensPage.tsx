// Settings → Access tokens (/settings/tokens): personal access tokens for scripts and other apps, each with the
// rights it was given (scopes), maybe one project, and an expiry. A new token is shown once; revoking ends it.
import * as Dialog from "@radix-ui/react-dialog";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { useToast } from "../../app/toast";
import { useWorkspace } from "../../app/workspace";
import { ErrorNote, Field, Loading, messageOf, unclaimedError } from "../../components/common";
import { SecretOnce } from "../../components/SecretOnce";
import { translatable } from "../../i18n";
import { formatDateTime } from "../../lib/dates";
import { Confirm } from "../../components/Confirm";
import { tokenKeys, tokensApi, type AccessToken, type NewAccessToken, type TokenScope } from "./api";
import "./tokens.css";

export const SCOPES: [TokenScope, string][] = [
  ["tasks:read", translatable("Read tasks")],
  ["tasks:write", translatable("Write tasks")],
  ["webhooks:manage", translatable("Manage webhooks")],
];

const EXPIRIES = [
  ["30", translatable("30 days")],
  ["90", translatable("90 days")],
  ["365", translatable("365 days")],
  ["never", translatable("Never")],
] as const;

const FIELDS = ["name", "scopes", "project", "expires_in_days", "password"];

export function TokensPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const tokens = useQuery({ queryKey: tokenKeys.list, queryFn: () => tokensApi().list() });
  const [creating, setCreating] = useState(false);
  const [made, setMade] = useState<NewAccessToken | null>(null);
  const [revoking, setRevoking] = useState<AccessToken | null>(null);
  const [busy, setBusy] = useState(false);

  async function revoke(token: AccessToken) {
    setBusy(true);
    try {
      await tokensApi().revoke(token);
      toast({ message: t("Revoked “{{name}}”. It no longer works.", { name: token.name }) });
      if (made?.id === token.id) setMade(null);
    } catch (caught) {
      toast({ message: messageOf(caught), tone: "error" });
    } finally {
      setBusy(false);
      setRevoking(null);
      void queryClient.invalidateQueries({ queryKey: tokenKeys.list });
    }
  }

  return (
    <section className="page settings tokens-page" aria-labelledby="tokens-title">
      <div className="page-head">
        <h1 id="tokens-title">{t("Access tokens")}</h1>
        <button type="button" onClick={() => setCreating(true)}>
          {t("New token")}
        </button>
      </div>
      <p className="muted">
        {t(
          "A personal access token lets a script or another app use the TMS API as you, with only the rights you give it. Send it in the Authorization header: Bearer followed by the token.",
        )}
      </p>
      {made && (
        <SecretOnce
          id="new-token"
          label={t("Your new token “{{name}}”", { name: made.name })}
          secret={made.token}
          onDone={() => setMade(null)}
        >
          <figure className="secret-example" aria-labelledby="token-example">
            <figcaption id="token-example" className="muted">
              {t("For example, to list your tasks:")}
            </figcaption>
            <pre>{`curl -H "Authorization: Bearer ${made.token}" ${window.location.origin}/api/tasks/`}</pre>
          </figure>
        </SecretOnce>
      )}
      <ErrorNote error={tokens.error} />
      {tokens.isPending && <Loading what={t("your access tokens")} />}
      {tokens.data && tokens.data.length === 0 && <p className="empty">{t("You have no access tokens.")}</p>}
      {tokens.data && tokens.data.length > 0 && (
        <ul className="plain token-list" aria-label={t("Your access tokens")}>
          {tokens.data.map((token) => (
            <TokenItem key={token.id} token={token} now={tokens.dataUpdatedAt} onRevoke={() => setRevoking(token)} />
          ))}
        </ul>
      )}
      {creating && (
        <NewTokenDialog
          onClose={() => setCreating(false)}
          onCreated={(token) => {
            setCreating(false);
            setMade(token);
            void queryClient.invalidateQueries({ queryKey: tokenKeys.list });
          }}
        />
      )}
      {revoking && (
        <Confirm
          title={t("Revoke “{{name}}”?", { name: revoking.name })}
          text={t("Scripts and apps using this token are refused from now on. This cannot be undone.")}
          action={t("Revoke the token")}
          busy={busy}
          onCancel={() => setRevoking(null)}
          onConfirm={() => void revoke(revoking)}
        />
      )}
    </section>
  );
}

/** `now`: when the list was fetched, which is when "expired" was true. */
function TokenItem({ token, now, onRevoke }: { token: AccessToken; now: number; onRevoke: () => void }) {
  const { t, i18n } = useTranslation();
  const { user, projects } = useWorkspace();
  const when = (iso: string) => formatDateTime(iso, i18n.language, user.time_zone);
  const project = token.project === null ? null : projects.find((p) => p.id === token.project);
  const expired = token.expires_at !== null && Date.parse(token.expires_at) <= now;
  return (
    <li>
      <article className="token" aria-label={token.name}>
        <div className="token-head">
          <div className="token-title">
            <h2 className="token-name">{token.name}</h2>
            <code className="token-hint">{token.hint}…</code>
          </div>
          <button type="button" className="small danger" onClick={onRevoke} aria-label={t("Revoke {{name}}", { name: token.name })}>
            {t("Revoke")}
          </button>
        </div>
        <ul className="chips plain-chips" aria-label={t("Scopes")}>
          {token.scopes.map((scope) => (
            <li key={scope} className="chip-tag">
              {t(SCOPES.find(([name]) => name === scope)?.[1] ?? scope)}
            </li>
          ))}
        </ul>
        <dl className="meta token-meta">
          {token.project !== null && (
            <div>
              <dt>{t("Project")}</dt>
              <dd>{project ? project.name : t("a project you no longer see")}</dd>
            </div>
          )}
          <div>
            <dt>{t("Created")}</dt>
            <dd>{when(token.created_at)}</dd>
          </div>
          <div>
            <dt>{t("Last used")}</dt>
            <dd>{token.last_used_at ? when(token.last_used_at) : t("never")}</dd>
          </div>
          <div>
            <dt>{t("Expires")}</dt>
            <dd className={expired ? "error" : undefined}>
              {token.expires_at === null ? t("never expires") : expired ? t("expired") : when(token.expires_at)}
            </dd>
          </div>
        </dl>
      </article>
    </li>
  );
}

function NewTokenDialog(props: { onClose: () => void; onCreated: (token: NewAccessToken) => void }) {
  const { t } = useTranslation();
  const { projects } = useWorkspace();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Set<TokenScope>>(new Set(["tasks:read"]));
  const [project, setProject] = useState("");
  const [expiry, setExpiry] = useState("90");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Both take reading tasks with them (the API requires it for webhooks: their deliveries show tasks).
  const needsRead = scopes.has("tasks:write") || scopes.has("webhooks:manage");

  function toggle(scope: TokenScope, on: boolean) {
    const next = new Set(scopes);
    if (on) next.add(scope);
    else next.delete(scope);
    if ((scope === "tasks:write" || scope === "webhooks:manage") && on) next.add("tasks:read");
    setScopes(next);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const token = await tokensApi().create({
        name: name.trim(),
        scopes: SCOPES.map(([scope]) => scope).filter((scope) => scopes.has(scope)),
        project: project === "" ? null : Number(project),
        expires_in_days: expiry === "never" ? null : Number(expiry),
        password,
      });
      props.onCreated(token);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (field: string) => (error instanceof ApiError ? error.fieldMessage(field) : undefined);
  const scopesError = fieldError("scopes");
  const unnamed = unclaimedError(error, FIELDS);
  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog-content" aria-modal="true" aria-describedby={undefined}>
          <Dialog.Title className="quick-add-title">{t("New access token")}</Dialog.Title>
          <form className="editor" onSubmit={(e) => void submit(e)} noValidate>
            <Field label={t("Name")} name="name" id="token-name" error={error}>
              <input
                id="token-name"
                value={name}
                maxLength={100}
                required
                placeholder={t("e.g. Backup script")}
                aria-describedby={fieldError("name") ? "name-error" : undefined}
                onChange={(e) => setName(e.target.value)}
              />
            </Field>
            <fieldset className="token-scopes" aria-describedby="scopes-hint">
              <legend>{t("What it may do")}</legend>
              {SCOPES.map(([scope, label]) => (
                <label key={scope} className="check">
                  <input
                    type="checkbox"
                    checked={scopes.has(scope)}
                    disabled={scope === "tasks:read" && needsRead}
                    onChange={(e) => toggle(scope, e.target.checked)}
                  />
                  {t(label)}
                </label>
              ))}
              <p id="scopes-hint" className="muted token-hint-text">
                {t("Writing tasks includes reading them. Managing webhooks does too: their deliveries show your tasks.")}
              </p>
              {scopesError && (
                <span className="field-error" role="alert">
                  {scopesError}
                </span>
              )}
            </fieldset>
            <Field label={t("Project")} name="project" id="token-project" error={error}>
              <select id="token-project" value={project} onChange={(e) => setProject(e.target.value)}>
                <option value="">{t("All my projects and tasks")}</option>
                {projects
                  .filter((p) => !p.archived)
                  .map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
              </select>
            </Field>
            <Field label={t("Expires after")} name="expires_in_days" id="token-expiry" error={error}>
              <select id="token-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
                {EXPIRIES.map(([value, label]) => (
                  <option key={value} value={value}>
                    {t(label)}
                  </option>
                ))}
              </select>
            </Field>
            {expiry === "never" && (
              <p className="field-note" role="note">
                {t("A token that never expires works until you revoke it. Prefer an expiry, and make a new token when it ends.")}
              </p>
            )}
            <Field label={t("Your password")} name="password" id="token-password" error={error}>
              <input
                id="token-password"
                type="password"
                autoComplete="current-password"
                required
                aria-describedby="token-password-hint"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </Field>
            <p id="token-password-hint" className="muted token-hint-text">
              {t("A token can work for months, so making one asks for your password.")}
            </p>
            <ErrorNote error={unnamed} />
            <div className="actions">
              <button type="submit" disabled={busy}>
                {t("Create token")}
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
