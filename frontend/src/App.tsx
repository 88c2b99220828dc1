import { useCallback, useEffect, useMemo, useState } from "react";
import { api } from "./api/client";
import { tms, type ListQuery } from "./api/tms";
import type { Label, Project, Task, TaskInput, User } from "./api/types";
import { ALL, canWrite, scopeQuery, type Scope } from "./components/access";
import { AuthScreen } from "./components/AuthScreen";
import { ErrorNote, isGone, Loading, OfflineBanner, todayIn } from "./components/common";
import { MailLinkPage, mailLinkFrom } from "./components/MailLinks";
import { MembersPanel } from "./components/MembersPanel";
import { placeFrom, searchFor, VIEWS, type View } from "./components/place";
import { AccountPage, HistoryPanel, LabelsManager, TrashView } from "./components/Panels";
import { ProjectHeader } from "./components/ProjectHeader";
import { ProjectSidebar } from "./components/ProjectSidebar";
import { TaskBoard } from "./components/TaskBoard";
import { TaskDialog } from "./components/TaskDialog";
import { TaskList } from "./components/TaskList";

export function App() {
  // A link from a mail (reset, email change) opens its own page, signed in or not.
  const link = mailLinkFrom(window.location);
  if (link) return <MailLinkPage link={link} />;
  return <Workspace />;
}

function Workspace() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  // The view and the list shown live in the URL's query, so a reload (or a copied link) comes back to them.
  const [view, setView] = useState<View>(() => placeFrom(window.location.search).view);
  const [labels, setLabels] = useState<Label[]>([]);
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [scope, setScope] = useState<Scope>(() => placeFrom(window.location.search).scope);
  const [membersOpen, setMembersOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<Task | "new" | null>(null);
  const [history, setHistory] = useState<Task | null>(null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<unknown>(null);

  const changed = useCallback(() => setVersion((v) => v + 1), []);
  const signedOut = useCallback(() => {
    api.setAccessToken(null);
    setUser(null);
  }, []);

  useEffect(() => {
    const search = searchFor({ view, scope });
    if (search !== window.location.search) window.history.replaceState(null, "", `${window.location.pathname}${search}`);
  }, [view, scope]);

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

  useEffect(() => {
    if (user) tms().projects().then(setProjects, setError);
  }, [user, version]);

  // The project chosen in the sidebar; once it is gone (deleted, or no longer shared) the app shows everything.
  const project = scope.kind === "project" ? projects?.find((p) => p.id === scope.id) : undefined;
  const lost = scope.kind === "project" && projects !== null && !project;
  const shown = lost ? ALL : scope;
  const filterKey = JSON.stringify(scopeQuery(shown));
  const filter = useMemo(() => JSON.parse(filterKey) as ListQuery, [filterKey]);

  if (user === undefined) return <Loading what="TMS" />;
  if (user === null) return <AuthScreen onSignedIn={setUser} />;

  const today = todayIn(user.time_zone);
  const all = projects ?? [];
  async function save(input: TaskInput) {
    try {
      if (editing === "new") await tms().createTask(input);
      else if (editing) await tms().updateTask(editing, input);
    } catch (caught) {
      if (isGone(caught)) changed(); // the project may be gone too: the sidebar catches up
      throw caught;
    }
    setEditing(null);
    changed();
  }

  function select(next: Scope) {
    setScope(next);
    setNotice(null);
    setMembersOpen(false);
  }

  /** Left or deleted: back to everything, saying what happened. */
  function gone(message: string) {
    select(ALL);
    setNotice(message);
    changed();
  }

  // After a sub-task changes, the task shown gets its new counts and version (what its Save sends in If-Match).
  function refreshEditing() {
    changed();
    if (editing && editing !== "new") tms().task(editing.id).then(setEditing, setError);
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
        {editing && (
          <TaskDialog
            key={editing === "new" ? "new" : editing.id}
            task={editing}
            labels={labels}
            projects={all}
            me={user}
            defaults={{ project: project?.id ?? null, assignees: shown.kind === "assigned" ? [user.id] : [] }}
            onSave={save}
            onClose={() => setEditing(null)}
            onOpen={setEditing}
            onOpenParent={(task) => task.parent && tms().task(task.parent).then(setEditing, setError)}
            onSubtasksChanged={refreshEditing}
            onGone={changed}
            gone={editing !== "new" && editing.project !== null && projects !== null && !projects.some((p) => p.id === editing.project)}
          />
        )}
        {history && <HistoryPanel task={history} onClose={() => setHistory(null)} />}
        {(view === "list" || view === "board") && (
          <div className="workspace">
            <ProjectSidebar
              projects={all}
              scope={shown}
              onSelect={select}
              onCreated={(created) => {
                select({ kind: "project", id: created.id, name: created.name });
                changed();
              }}
            />
            <div className="scope-view">
              {lost && (
                <p role="status" className="notice">
                  {scope.name ? `“${scope.name}”` : "That project"} is no longer available to you: it was deleted or is no longer shared
                  with you.
                </p>
              )}
              {notice && (
                <p role="status" className="notice">
                  {notice}
                </p>
              )}
              {project && (
                <ProjectHeader
                  project={project}
                  membersOpen={membersOpen}
                  onToggleMembers={() => setMembersOpen(!membersOpen)}
                  onChanged={changed}
                  onDeleted={(p) => gone(`“${p.name}” and its tasks are in the trash.`)}
                  onGone={changed}
                />
              )}
              {project && membersOpen && (
                <MembersPanel
                  project={project}
                  me={user}
                  onLeft={(p) => gone(`You left “${p.name}”.`)}
                  onClose={() => setMembersOpen(false)}
                  onGone={changed}
                />
              )}
              {(!project || canWrite(project.role)) && (
                <button type="button" onClick={() => setEditing("new")}>
                  New task
                </button>
              )}
              {view === "list" && (
                <TaskList
                  scope={filter}
                  projects={all}
                  labels={labels}
                  today={today}
                  version={version}
                  onEdit={setEditing}
                  onHistory={setHistory}
                  onChanged={changed}
                />
              )}
              {view === "board" && (
                <TaskBoard
                  scope={filter}
                  projects={all}
                  today={today}
                  version={version}
                  onEdit={setEditing}
                  onHistory={setHistory}
                  onChanged={changed}
                />
              )}
            </div>
          </div>
        )}
        {view === "trash" && <TrashView version={version} onChanged={changed} />}
        {view === "labels" && <LabelsManager labels={labels} onChanged={changed} />}
        {view === "account" && <AccountPage user={user} onUser={setUser} onSignedOut={signedOut} />}
      </main>
    </div>
  );
}
