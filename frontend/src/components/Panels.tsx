import { useCallback, useEffect, useState, type FormEvent } from "react";
import { tms } from "../api/tms";
import type { Label, Session, Task, TaskEvent, TrashedProject, User } from "../api/types";
import { ErrorNote, Field, Loading } from "./common";

export function TrashView(props: { version: number; onChanged: () => void }) {
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [projects, setProjects] = useState<TrashedProject[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    tms()
      .trashList()
      .then((page) => setTasks(page.results), setError);
    tms()
      .trashedProjects()
      .then((page) => setProjects(page.results), setError);
  }, [props.version]);
  if (!tasks && !error) return <Loading what="the trash" />;
  return (
    <section aria-label="Trash">
      <h2>Trash</h2>
      <p className="muted">Tasks stay here for 30 days.</p>
      <ErrorNote error={error} />
      {tasks?.length === 0 && projects.length === 0 && <p className="empty">The trash is empty.</p>}
      <ul className="plain">
        {tasks?.map((task) => (
          <li key={task.id}>
            {task.title}{" "}
            <button type="button" className="small" onClick={() => tms().restore(task).then(props.onChanged, setError)}>
              Restore {task.title}
            </button>
          </li>
        ))}
      </ul>
      {projects.length > 0 && (
        <>
          <h3>Projects</h3>
          <p className="muted">A project comes back with the tasks it took to the trash.</p>
          <ul className="plain">
            {projects.map((project) => (
              <li key={project.id}>
                <span className="swatch" style={{ background: project.colour }} aria-hidden="true" /> {project.name}{" "}
                <button type="button" className="small" onClick={() => tms().restoreProject(project).then(props.onChanged, setError)}>
                  Restore {project.name}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function HistoryPanel(props: { task: Task; onClose: () => void }) {
  const [events, setEvents] = useState<TaskEvent[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    tms()
      .history(props.task)
      .then((page) => setEvents(page.results), setError);
  }, [props.task]);
  return (
    <section aria-label={`History of ${props.task.title}`} className="panel">
      <h2>History of “{props.task.title}”</h2>
      <ErrorNote error={error} />
      {!events && !error && <Loading what="history" />}
      <ol className="plain">
        {events?.map((event) => (
          <li key={event.id}>
            <time dateTime={event.created_at}>{new Date(event.created_at).toLocaleString()}</time> — {event.kind}
            {Object.keys(event.changes).length > 0 && event.kind !== "created" && (
              <span className="muted">
                {" "}
                {Object.entries(event.changes)
                  .map(([field, change]) =>
                    Array.isArray(change) ? `${field}: ${JSON.stringify(change[0])} → ${JSON.stringify(change[1])}` : field,
                  )
                  .join("; ")}
              </span>
            )}
          </li>
        ))}
      </ol>
      <button type="button" className="secondary" onClick={props.onClose}>
        Close
      </button>
    </section>
  );
}

export function LabelsManager(props: { labels: Label[]; onChanged: () => void }) {
  const [name, setName] = useState("");
  const [colour, setColour] = useState("#3b82f6");
  const [error, setError] = useState<unknown>(null);
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
    <section aria-label="Labels">
      <h2>Labels</h2>
      <form onSubmit={submit} className="row" aria-label="New label">
        <Field label="Name" name="name" error={error}>
          <input id="name" value={name} maxLength={50} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <Field label="Colour" name="colour" error={error}>
          <input id="colour" type="color" value={colour} onChange={(e) => setColour(e.target.value)} />
        </Field>
        <button type="submit">Add label</button>
      </form>
      <ErrorNote error={error} />
      {props.labels.length === 0 && <p className="empty">No labels yet.</p>}
      <ul className="plain">
        {props.labels.map((label) => (
          <li key={label.id}>
            <span className="swatch" style={{ background: label.colour }} aria-hidden="true" /> {label.name}{" "}
            <button type="button" className="small danger" onClick={() => tms().deleteLabel(label).then(props.onChanged, setError)}>
              Delete {label.name}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

const ZONES: string[] = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];

export function AccountPage(props: { user: User; onUser: (user: User) => void; onSignedOut: () => void }) {
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
    <section aria-label="Account" className="account">
      <h2>Account</h2>
      <form
        aria-label="Profile"
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
        <Field label="Display name" name="display_name" error={profileError}>
          <input id="display_name" value={displayName} maxLength={150} onChange={(e) => setDisplayName(e.target.value)} />
        </Field>
        <Field label="Time zone" name="time_zone" error={profileError}>
          <select id="time_zone" value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
            {[timeZone, ...ZONES.filter((z) => z !== timeZone)].map((zone) => (
              <option key={zone}>{zone}</option>
            ))}
          </select>
        </Field>
        <button type="submit">Save profile</button>
        {saved && <span role="status"> Saved.</span>}
      </form>

      <form
        aria-label="Change email"
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
        <h3>Change email</h3>
        <p className="muted">Now {props.user.email}. The new address gets a link; the change happens when it is opened.</p>
        <Field label="New email" name="email" error={emailError}>
          <input id="email" type="email" autoComplete="email" value={newEmail} onChange={(e) => setNewEmail(e.target.value)} required />
        </Field>
        <Field label="Current password" name="current_password" id="email-password" error={emailError}>
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
        <button type="submit">Change email</button>
        {emailSent && <span role="status"> {emailSent}</span>}
      </form>

      <form
        aria-label="Change password"
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
        <h3>Change password</h3>
        <Field label="Current password" name="current_password" error={passwordError}>
          <input
            id="current_password"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
          />
        </Field>
        <Field label="New password (12 characters or more)" name="new_password" error={passwordError}>
          <input
            id="new_password"
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
          />
        </Field>
        <button type="submit">Change password</button>
        {passwordDone && <span role="status"> Password changed; your other sessions were signed out.</span>}
      </form>

      <h3>Active sessions</h3>
      {!sessions && <Loading what="sessions" />}
      <ul className="plain">
        {sessions?.map((session) => (
          <li key={session.id}>
            {session.user_agent || "Unknown device"} — last used {new Date(session.last_used_at).toLocaleString()}
            {session.current ? (
              <strong> (this device)</strong>
            ) : (
              <button type="button" className="small" onClick={() => tms().revokeSession(session.id).then(loadSessions, setProfileError)}>
                Sign out this session
              </button>
            )}
          </li>
        ))}
      </ul>

      <form
        aria-label="Delete account"
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
        <h3>Delete account</h3>
        <p className="muted">This deletes your account and every task, for good.</p>
        <Field label="Password" name="password" id="delete-password" error={deleteError}>
          <input id="delete-password" type="password" value={deletePassword} onChange={(e) => setDeletePassword(e.target.value)} required />
        </Field>
        <button type="submit" className="danger">
          Delete my account
        </button>
      </form>
    </section>
  );
}
