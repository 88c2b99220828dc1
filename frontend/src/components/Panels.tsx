import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { tms } from "../api/tms";
import type { Label, Session, Task, TaskEvent, User } from "../api/types";
import { LANGUAGES, setLanguage, translatable, type Language } from "../i18n";
import { formatDateTime } from "../lib/dates";
import { ErrorNote, Field, Loading } from "./common";

/** What each kind of event says in the history. */
const EVENT_NAMES: Record<TaskEvent["kind"], string> = {
  created: translatable("Created"),
  updated: translatable("Changed"),
  completed: translatable("Completed"),
  reopened: translatable("Reopened"),
  moved: translatable("Moved"),
  trashed: translatable("Moved to the trash"),
  restored: translatable("Restored"),
  labels: translatable("Labels changed"),
  imported: translatable("Imported"),
  commented: translatable("Commented"),
  comment_edited: translatable("Comment edited"),
  comment_deleted: translatable("Comment deleted"),
  assigned: translatable("Assignees changed"),
};

/** The task fields an event names, as the task dialog labels them; others keep the API's name. */
const FIELD_NAMES: Record<string, string> = {
  title: translatable("Title"),
  description: translatable("Description"),
  status: translatable("Status"),
  priority: translatable("Priority"),
  due_date: translatable("Due date"),
  labels: translatable("Labels"),
  project: translatable("Project"),
  assignees: translatable("Assignees"),
  position: translatable("Position"),
};

/**
 * A task's history, newest first as the API gives it. It takes the focus when it opens, so it is scrolled into view
 * wherever it is placed, and Esc closes it and gives the focus back to what opened it.
 */
export function HistoryPanel(props: {
  task: Task;
  onClose: () => void;
  /** The reader's time zone; the browser's when not given. */
  timeZone?: string;
}) {
  const { t, i18n } = useTranslation();
  const [events, setEvents] = useState<TaskEvent[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const panel = useRef<HTMLElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const { onClose } = props;
  // Read while rendering, before the heading takes the focus.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  useEffect(() => {
    tms()
      .history(props.task)
      .then((page) => setEvents(page.results), setError);
  }, [props.task]);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, [opener]);
  useEffect(() => {
    // Once the events are in, the whole panel is brought into view (its list scrolls on its own), not only its heading.
    panel.current?.scrollIntoView?.({ block: "nearest" });
  }, [events, error]);
  useEffect(() => {
    // Esc closes the panel while the focus is in it (elsewhere, Esc belongs to whatever has the focus).
    function onKeyDown(event: KeyboardEvent) {
      const inside = event.target instanceof Node && panel.current?.contains(event.target);
      if (event.key !== "Escape" || !inside || event.defaultPrevented) return;
      event.preventDefault();
      onClose();
    }
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [onClose]);
  const field = (name: string) => (FIELD_NAMES[name] ? t(FIELD_NAMES[name]) : name);
  return (
    <section aria-label={t("History of {{title}}", { title: props.task.title })} className="panel history" ref={panel}>
      <h2 ref={heading} tabIndex={-1}>
        {t("History of “{{title}}”", { title: props.task.title })}
      </h2>
      <ErrorNote error={error} />
      {!events && !error && <Loading what={t("history")} />}
      {events?.length === 0 && <p className="muted">{t("Nothing has happened to this task yet.")}</p>}
      <ol className="plain">
        {events?.map((event) => (
          <li key={event.id}>
            <time dateTime={event.created_at}>{formatDateTime(event.created_at, i18n.language, props.timeZone)}</time> —{" "}
            {EVENT_NAMES[event.kind] ? t(EVENT_NAMES[event.kind]) : event.kind}
            {Object.keys(event.changes).length > 0 && event.kind !== "created" && (
              <span className="muted">
                {" "}
                {Object.entries(event.changes)
                  .map(([name, change]) =>
                    Array.isArray(change) ? `${field(name)}: ${JSON.stringify(change[0])} → ${JSON.stringify(change[1])}` : field(name),
                  )
                  .join("; ")}
              </span>
            )}
          </li>
        ))}
      </ol>
      <button type="button" className="secondary" onClick={onClose}>
        {t("Close")}
      </button>
    </section>
  );
}

export function LabelsManager(props: { labels: Label[]; onChanged: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [colour, setColour] = useState("#3b82f6");
  const [error, setError] = useState<unknown>(null);
  const [renaming, setRenaming] = useState<number | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await tms().createLabel(name, colour);
      setName("");
      props.onChanged();
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <section aria-label={t("Labels")}>
      <h1>{t("Labels")}</h1>
      <form onSubmit={submit} className="row" aria-label={t("New label")}>
        <Field label={t("Name")} name="name" error={error}>
          <input id="name" value={name} maxLength={50} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <Field label={t("Colour")} name="colour" error={error}>
          <input id="colour" type="color" value={colour} onChange={(e) => setColour(e.target.value)} />
        </Field>
        <button type="submit">{t("Add label")}</button>
      </form>
      <ErrorNote error={error} />
      {props.labels.length === 0 && <p className="empty">{t("No labels yet.")}</p>}
      <ul className="plain">
        {props.labels.map((label) =>
          renaming === label.id ? (
            <li key={label.id}>
              <RenameLabel
                label={label}
                onRenamed={() => {
                  setRenaming(null);
                  props.onChanged();
                }}
                onCancel={() => setRenaming(null)}
              />
            </li>
          ) : (
            <li key={label.id}>
              <span className="swatch" style={{ background: label.colour }} aria-hidden="true" /> {label.name}{" "}
              <button type="button" className="small" onClick={() => setRenaming(label.id)}>
                {t("Rename {{name}}", { name: label.name })}
              </button>{" "}
              <button type="button" className="small danger" onClick={() => tms().deleteLabel(label).then(props.onChanged, setError)}>
                {t("Delete {{name}}", { name: label.name })}
              </button>
            </li>
          ),
        )}
      </ul>
    </section>
  );
}

/** A label's name, changed in place; its tasks keep it under the new name. */
function RenameLabel(props: { label: Label; onRenamed: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(props.label.name);
  const [error, setError] = useState<unknown>(null);
  const id = `label-${props.label.id}-name`;
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await tms().renameLabel(props.label, name.trim());
      props.onRenamed();
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <form className="row" onSubmit={submit} aria-label={t("Rename {{name}}", { name: props.label.name })}>
      <Field label={t("New name")} name="name" id={id} error={error}>
        {/* Opened by the Rename button: the name is what the keyboard is there for. */}
        {/* eslint-disable-next-line jsx-a11y/no-autofocus */}
        <input id={id} value={name} maxLength={50} onChange={(e) => setName(e.target.value)} required autoFocus />
      </Field>
      <button type="submit">{t("Save name")}</button>
      <button type="button" className="secondary" onClick={props.onCancel}>
        {t("Cancel")}
      </button>
      <ErrorNote error={error} />
    </form>
  );
}

const ZONES: string[] = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];

/** The app's language, kept in this browser; it changes at once. */
function LanguageChoice() {
  const { t, i18n } = useTranslation();
  const current = (i18n.language in LANGUAGES ? i18n.language : "en") as Language;
  return (
    <div className="field">
      <label htmlFor="language">{t("Language")}</label>
      <select id="language" value={current} onChange={(e) => setLanguage(e.target.value as Language)}>
        {(Object.keys(LANGUAGES) as Language[]).map((code) => (
          // Each language is named in itself, so it can be found whatever the page is in.
          <option key={code} value={code} lang={code}>
            {LANGUAGES[code]}
          </option>
        ))}
      </select>
    </div>
  );
}

export function AccountPage(props: { user: User; onUser: (user: User) => void; onSignedOut: () => void }) {
  const { t, i18n } = useTranslation();
  const [displayName, setDisplayName] = useState(props.user.display_name);
  const [timeZone, setTimeZone] = useState(props.user.time_zone);
  const [profileError, setProfileError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [passwordError, setPasswordError] = useState<unknown>(null);
  const [passwordDone, setPasswordDone] = useState(false);
  const [newEmail, setNewEmail] = useState("");
  const [emailPassword, setEmailPassword] = useState("");
  const [emailError, setEmailError] = useState<unknown>(null);
  const [emailSent, setEmailSent] = useState<string | null>(null);
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [deletePassword, setDeletePassword] = useState("");
  const [deleteError, setDeleteError] = useState<unknown>(null);

  const loadSessions = useCallback(() => tms().sessions().then(setSessions, setProfileError), []);
  useEffect(() => {
    void loadSessions();
  }, [loadSessions]);

  return (
    <section aria-label={t("Account")} className="account">
      <h1>{t("Account")}</h1>
      <LanguageChoice />
      <form
        aria-label={t("Profile")}
        onSubmit={async (e) => {
          e.preventDefault();
          setSaved(false);
          try {
            props.onUser(await tms().updateMe({ display_name: displayName, time_zone: timeZone }));
            setSaved(true);
          } catch (caught) {
            setProfileError(caught);
          }
        }}
      >
        <Field label={t("Display name")} name="display_name" error={profileError}>
          <input id="display_name" value={displayName} maxLength={150} onChange={(e) => setDisplayName(e.target.value)} />
        </Field>
        <Field label={t("Time zone")} name="time_zone" error={profileError}>
          <select id="time_zone" value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
            {[timeZone, ...ZONES.filter((z) => z !== timeZone)].map((zone) => (
              <option key={zone}>{zone}</option>
            ))}
          </select>
        </Field>
        <button type="submit">{t("Save profile")}</button>
        {saved && <span role="status"> {t("Saved.")}</span>}
      </form>

      <form
        aria-label={t("Change email")}
        onSubmit={async (e) => {
          e.preventDefault();
          setEmailError(null);
          setEmailSent(null);
          try {
            setEmailSent((await tms().changeEmail(newEmail, emailPassword)).detail);
            setEmailPassword("");
          } catch (caught) {
            setEmailError(caught);
          }
        }}
      >
        <h3>{t("Change email")}</h3>
        <p className="muted">
          {t("Now {{email}}. The new address gets a link; the change happens when it is opened.", { email: props.user.email })}
        </p>
        <Field label={t("New email")} name="email" error={emailError}>
          <input id="email" type="email" autoComplete="email" value={newEmail} onChange={(e) => setNewEmail(e.target.value)} required />
        </Field>
        <Field label={t("Current password")} name="current_password" id="email-password" error={emailError}>
          <input
            id="email-password"
            type="password"
            autoComplete="current-password"
            value={emailPassword}
            onChange={(e) => setEmailPassword(e.target.value)}
            required
          />
        </Field>
        <ErrorNote error={emailError} />
        <button type="submit">{t("Change email")}</button>
        {emailSent && <span role="status"> {emailSent}</span>}
      </form>

      <form
        aria-label={t("Change password")}
        onSubmit={async (e) => {
          e.preventDefault();
          setPasswordError(null);
          try {
            await tms().changePassword(current, next);
            setPasswordDone(true);
            setCurrent("");
            setNext("");
            void loadSessions();
          } catch (caught) {
            setPasswordError(caught);
          }
        }}
      >
        <h3>{t("Change password")}</h3>
        <Field label={t("Current password")} name="current_password" error={passwordError}>
          <input
            id="current_password"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
          />
        </Field>
        <Field label={t("New password (12 characters or more)")} name="new_password" error={passwordError}>
          <input
            id="new_password"
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
          />
        </Field>
        <button type="submit">{t("Change password")}</button>
        {passwordDone && <span role="status"> {t("Password changed; your other sessions were signed out.")}</span>}
      </form>

      <nav aria-labelledby="account-security" className="account-security">
        <h3 id="account-security">{t("Security")}</h3>
        <ul className="plain">
          <li>
            <Link to="/settings/security">{t("Two-factor sign-in")}</Link>
          </li>
          <li>
            <Link to="/settings/tokens">{t("Access tokens")}</Link>
          </li>
          <li>
            <Link to="/settings/webhooks">{t("Webhooks")}</Link>
          </li>
        </ul>
      </nav>

      <h3>{t("Active sessions")}</h3>
      {!sessions && <Loading what={t("sessions")} />}
      <ul className="plain">
        {sessions?.map((session) => (
          <li key={session.id}>
            {t("{{device}} — last used {{when}}", {
              device: session.user_agent || t("Unknown device"),
              when: formatDateTime(session.last_used_at, i18n.language, props.user.time_zone),
            })}
            {session.current ? (
              <strong> {t("(this device)")}</strong>
            ) : (
              <button type="button" className="small" onClick={() => tms().revokeSession(session.id).then(loadSessions, setProfileError)}>
                {t("Sign out this session")}
              </button>
            )}
          </li>
        ))}
      </ul>

      <form
        aria-label={t("Delete account")}
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await tms().deleteMe(deletePassword);
            props.onSignedOut();
          } catch (caught) {
            setDeleteError(caught);
          }
        }}
      >
        <h3>{t("Delete account")}</h3>
        <p className="muted">{t("This deletes your account and every task, for good.")}</p>
        <Field label={t("Password")} name="password" id="delete-password" error={deleteError}>
          <input id="delete-password" type="password" value={deletePassword} onChange={(e) => setDeletePassword(e.target.value)} required />
        </Field>
        <button type="submit" className="danger">
          {t("Delete my account")}
        </button>
      </form>
    </section>
  );
}
