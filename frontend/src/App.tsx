import { useCallback, useEffect, useState } from "react";
import { api } from "./api/client";
import { tms } from "./api/tms";
import type { Label, Task, TaskInput, User } from "./api/types";
import { AuthScreen } from "./components/AuthScreen";
import { ErrorNote, Loading, OfflineBanner, todayIn } from "./components/common";
import { MailLinkPage, mailLinkFrom } from "./components/MailLinks";
import { AccountPage, HistoryPanel, LabelsManager, TrashView } from "./components/Panels";
import { TaskBoard } from "./components/TaskBoard";
import { TaskEditor } from "./components/TaskEditor";
import { TaskList } from "./components/TaskList";

type View = "list" | "board" | "trash" | "labels" | "account";
const VIEWS: [View, string][] = [
  ["list", "List"],
  ["board", "Board"],
  ["trash", "Trash"],
  ["labels", "Labels"],
  ["account", "Account"],
];

export function App() {
  // A link from a mail (reset, email change) opens its own page, signed in or not.
  const link = mailLinkFrom(window.location);
  if (link) return <MailLinkPage link={link} />;
  return <Workspace />;
}

function Workspace() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [view, setView] = useState<View>("list");
  const [labels, setLabels] = useState<Label[]>([]);
  const [editing, setEditing] = useState<Task | "new" | null>(null);
  const [history, setHistory] = useState<Task | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<unknown>(null);

  const changed = useCallback(() => setVersion((v) => v + 1), []);
  const signedOut = useCallback(() => {
    api.setAccessToken(null);
    setUser(null);
  }, []);

  // A reload keeps the session: the refresh cookie buys a new access token.
  useEffect(() => {
    api.onSessionEnded = signedOut;
    api.refresh().then(
      async (ok) => setUser(ok ? await tms().me() : null),
      () => setUser(null),
    );
  }, [signedOut]);

  useEffect(() => {
    if (user) tms().labels().then(setLabels, setError);
  }, [user, version]);

  if (user === undefined) return <Loading what="TMS" />;
  if (user === null) return <AuthScreen onSignedIn={setUser} />;

  const today = todayIn(user.time_zone);
  async function save(input: TaskInput) {
    if (editing === "new") await tms().createTask(input);
    else if (editing) await tms().updateTask(editing, input);
    setEditing(null);
    changed();
  }

  return (
    <div className="app">
      <OfflineBanner />
      <header>
        <h1>TMS</h1>
        <nav aria-label="Main">
          {VIEWS.map(([key, name]) => (
            <button
              key={key}
              type="button"
              className={view === key ? "tab active" : "tab"}
              aria-current={view === key ? "page" : undefined}
              onClick={() => setView(key)}
            >
              {name}
            </button>
          ))}
        </nav>
        <span className="who">{user.display_name || user.username}</span>
        <button type="button" className="secondary" onClick={() => api.logout().finally(signedOut)}>
          Sign out
        </button>
      </header>
      <main>
        <ErrorNote error={error} />
        {(view === "list" || view === "board") && (
          <button type="button" onClick={() => setEditing("new")}>
            New task
          </button>
        )}
        {editing && (
          <div className="dialog" role="dialog" aria-modal="true" aria-label={editing === "new" ? "New task" : "Edit task"}>
            <TaskEditor task={editing === "new" ? undefined : editing} labels={labels} onSave={save} onCancel={() => setEditing(null)} />
          </div>
        )}
        {history && <HistoryPanel task={history} onClose={() => setHistory(null)} />}
        {view === "list" && (
          <TaskList labels={labels} today={today} version={version} onEdit={setEditing} onHistory={setHistory} onChanged={changed} />
        )}
        {view === "board" && <TaskBoard today={today} version={version} onEdit={setEditing} onHistory={setHistory} onChanged={changed} />}
        {view === "trash" && <TrashView version={version} onChanged={changed} />}
        {view === "labels" && <LabelsManager labels={labels} onChanged={changed} />}
        {view === "account" && <AccountPage user={user} onUser={setUser} onSignedOut={signedOut} />}
      </main>
    </div>
  );
}
