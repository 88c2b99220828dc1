// Settings → Webhooks (/settings/webhooks): addresses TMS posts events to (a task created, a comment, a member
// added), each signed with a secret shown once. An endpoint can be edited, switched off and on again (which
// re-enables one TMS disabled after failures), sent a test event, or deleted; its deliveries have a page of their own.
import * as Dialog from "@radix-ui/react-dialog";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError } from "../../api/client";
import { useToast } from "../../app/toast";
import { useWorkspace } from "../../app/workspace";
import { ErrorNote, Field, Loading, messageOf, unclaimedError } from "../../components/common";
import { SecretOnce } from "../../components/SecretOnce";
import { translatable } from "../../i18n";
import { formatDateTime } from "../../lib/dates";
import { Confirm } from "../../components/Confirm";
import { webhookKeys, webhooksApi, type NewWebhook, type Webhook, type WebhookEvent } from "./api";
import "./webhooks.css";

export const EVENT_GROUPS: { name: string; events: [WebhookEvent, string][] }[] = [
  {
    name: translatable("Tasks"),
    events: [
      ["task.created", translatable("created")],
      ["task.updated", translatable("updated")],
      ["task.completed", translatable("completed")],
      ["task.trashed", translatable("moved to the trash")],
      ["task.restored", translatable("restored")],
      ["task.deleted", translatable("deleted")],
    ],
  },
  {
    name: translatable("Comments"),
    events: [
      ["comment.created", translatable("created")],
      ["comment.deleted", translatable("deleted")],
    ],
  },
  {
    name: translatable("Projects"),
    events: [
      ["project.member_added", translatable("member added")],
      ["project.member_removed", translatable("member removed")],
    ],
  },
];
const ALL_EVENTS = EVENT_GROUPS.flatMap((group) => group.events.map(([event]) => event));
/** The most endpoints an account may have (the API refuses the eleventh). */
const MOST = 10;

export function WebhooksPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const hooks = useQuery({ queryKey: webhookKeys.list, queryFn: () => webhooksApi().list() });
  const [editing, setEditing] = useState<Webhook | "new" | null>(null);
  const [made, setMade] = useState<NewWebhook | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [busy, setBusy] = useState(false);
  const changed = () => queryClient.invalidateQueries({ queryKey: webhookKeys.all });

  async function run(action: () => Promise<unknown>, done: string) {
    setBusy(true);
    try {
      await action();
      toast({ message: done });
    } catch (caught) {
      toast({ message: messageOf(caught), tone: "error" });
    } finally {
      setBusy(false);
      void changed();
    }
  }

  const count = hooks.data?.length ?? 0;
  return (
    <section className="page settings webhooks-page" aria-labelledby="webhooks-title">
      <div className="page-head">
        <h1 id="webhooks-title">{t("Webhooks")}</h1>
        <button type="button" disabled={!hooks.data || count >= MOST} onClick={() => setEditing("new")}>
          {t("New webhook")}
        </button>
      </div>
      <p className="muted">
        {t(
          "TMS sends a POST with a JSON body to your address when something happens in your tasks, signed as Standard Webhooks describes (headers webhook-id, webhook-timestamp, webhook-signature). A delivery that fails is tried again; after many failures in a row the webhook is disabled.",
        )}
      </p>
      {count >= MOST && <p className="notice">{t("You have the most webhooks an account can have (10). Delete one to add another.")}</p>}
      {made && (
        <SecretOnce
          id="new-secret"
          label={t("Signing secret of {{url}}", { url: made.url })}
          secret={made.secret}
          onDone={() => setMade(null)}
        >
          <p className="muted">{t("Check each delivery's webhook-signature with it before you trust the body.")}</p>
        </SecretOnce>
      )}
      <ErrorNote error={hooks.error} />
      {hooks.isPending && <Loading what={t("your webhooks")} />}
      {hooks.data && hooks.data.length === 0 && <p className="empty">{t("You have no webhooks.")}</p>}
      {hooks.data && hooks.data.length > 0 && (
        <ul className="plain webhook-list" aria-label={t("Your webhooks")}>
          {hooks.data.map((hook) => (
            <li key={hook.id}>
              <WebhookItem
                hook={hook}
                busy={busy}
                onEdit={() => setEditing(hook)}
                onDelete={() => setDeleting(hook)}
                onPing={() => void run(() => webhooksApi().ping(hook.id), t("A test event is on its way to {{url}}.", { url: hook.url }))}
                onEnable={() => void run(() => webhooksApi().update(hook.id, { is_active: true }), t("The webhook is active again."))}
              />
            </li>
          ))}
        </ul>
      )}
      {editing && (
        <WebhookDialog
          hook={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            if ("secret" in saved) setMade(saved);
            else toast({ message: t("Saved.") });
            void changed();
          }}
        />
      )}
      {deleting && (
        <Confirm
          title={t("Delete the webhook to {{url}}?", { url: deleting.url })}
          text={t("TMS stops sending events to this address, and its deliveries are deleted. This cannot be undone.")}
          action={t("Delete the webhook")}
          busy={busy}
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const hook = deleting;
            setDeleting(null);
            void run(() => webhooksApi().remove(hook.id), t("Deleted the webhook to {{url}}.", { url: hook.url }));
          }}
        />
      )}
    </section>
  );
}

function WebhookItem(props: {
  hook: Webhook;
  busy: boolean;
  onEdit: () => void;
  onDelete: () => void;
  onPing: () => void;
  onEnable: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { user } = useWorkspace();
  const { hook } = props;
  const disabled = !hook.is_active;
  return (
    <article className="webhook" aria-label={hook.url}>
      <div className="webhook-head">
        <code className="webhook-url">{hook.url}</code>
        <span className={disabled ? "badge webhook-off" : "badge webhook-on"}>{disabled ? t("Disabled") : t("Active")}</span>
      </div>
      {hook.description && <p className="webhook-description">{hook.description}</p>}
      {disabled && (
        <p className="field-note webhook-reason">
          {hook.disabled_reason
            ? t("Disabled {{when}}: {{reason}}", {
                when: hook.disabled_at ? formatDateTime(hook.disabled_at, i18n.language, user.time_zone) : "",
                reason: hook.disabled_reason,
              })
            : t("Switched off: no events are sent.")}
        </p>
      )}
      <ul className="chips plain-chips" aria-label={t("Events")}>
        {hook.events.map((event) => (
          <li key={event} className="chip-tag">
            {event}
          </li>
        ))}
      </ul>
      {hook.consecutive_failures > 0 && (
        <p className="error webhook-failures">{t("Failed deliveries in a row: {{n}}", { n: hook.consecutive_failures })}</p>
      )}
      <div className="actions">
        <Link className="button-link small" to={`/settings/webhooks/${hook.id}`} aria-label={t("Deliveries to {{url}}", { url: hook.url })}>
          {t("Deliveries")}
        </Link>
        <button type="button" className="small" onClick={props.onEdit} aria-label={t("Edit the webhook to {{url}}", { url: hook.url })}>
          {t("Edit")}
        </button>
        {disabled ? (
          <button type="button" className="small" disabled={props.busy} onClick={props.onEnable}>
            {t("Enable again")}
          </button>
        ) : (
          <button type="button" className="small" disabled={props.busy} onClick={props.onPing}>
            {t("Send test event")}
          </button>
        )}
        <button
          type="button"
          className="small danger"
          onClick={props.onDelete}
          aria-label={t("Delete the webhook to {{url}}", { url: hook.url })}
        >
          {t("Delete")}
        </button>
      </div>
    </article>
  );
}

const FIELDS = ["url", "description", "events", "is_active"];

/** New webhook (hook null) or edit one: URL, description, events, and, when editing, whether it is active. */
function WebhookDialog(props: { hook: Webhook | null; onClose: () => void; onSaved: (hook: Webhook | NewWebhook) => void }) {
  const { t } = useTranslation();
  const { hook } = props;
  const [url, setUrl] = useState(hook?.url ?? "https://");
  const [description, setDescription] = useState(hook?.description ?? "");
  const [events, setEvents] = useState<Set<WebhookEvent>>(new Set(hook?.events ?? ["task.created", "task.updated", "task.completed"]));
  const [active, setActive] = useState(hook?.is_active ?? true);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  function toggle(event: WebhookEvent, on: boolean) {
    const next = new Set(events);
    if (on) next.add(event);
    else next.delete(event);
    setEvents(next);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { url: url.trim(), description: description.trim(), events: ALL_EVENTS.filter((event) => events.has(event)) };
    try {
      if (hook === null) props.onSaved(await webhooksApi().create(body));
      else props.onSaved(await webhooksApi().update(hook.id, active === hook.is_active ? body : { ...body, is_active: active }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const eventsError = error instanceof ApiError ? error.fieldMessage("events") : undefined;
  const unnamed = unclaimedError(error, FIELDS);
  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog-content" aria-modal="true" aria-describedby={undefined}>
          <Dialog.Title className="quick-add-title">{hook ? t("Edit webhook") : t("New webhook")}</Dialog.Title>
          <form className="editor" onSubmit={(e) => void submit(e)} noValidate>
            <Field label={t("URL")} name="url" id="webhook-url" error={error}>
              <input
                id="webhook-url"
                type="url"
                inputMode="url"
                value={url}
                maxLength={2000}
                required
                onChange={(e) => setUrl(e.target.value)}
              />
            </Field>
            <Field label={t("Description (optional)")} name="description" id="webhook-description" error={error}>
              <input id="webhook-description" value={description} maxLength={200} onChange={(e) => setDescription(e.target.value)} />
            </Field>
            <div className="webhook-events" role="group" aria-labelledby="webhook-events-label">
              <span id="webhook-events-label" className="webhook-events-label">
                {t("Events to send")}
              </span>
              {EVENT_GROUPS.map((group) => (
                <fieldset key={group.name} className="webhook-event-group">
                  <legend>{t(group.name)}</legend>
                  {group.events.map(([event, label]) => (
                    <label key={event} className="check">
                      <input
                        type="checkbox"
                        checked={events.has(event)}
                        aria-label={`${t(group.name)}: ${t(label)}`}
                        onChange={(e) => toggle(event, e.target.checked)}
                      />
                      <span aria-hidden="true">{t(label)}</span>
                    </label>
                  ))}
                </fieldset>
              ))}
              {eventsError && (
                <span className="field-error" role="alert">
                  {eventsError}
                </span>
              )}
            </div>
            {hook && (
              <label className="check">
                <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
                {hook.is_active ? t("Active: events are sent") : t("Active: send events again (the failure count starts over)")}
              </label>
            )}
            <ErrorNote error={unnamed} />
            <div className="actions">
              <button type="submit" disabled={busy}>
                {hook ? t("Save") : t("Create webhook")}
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
