// The signed-in app: top bar, sidebar, the page the URL names, and a task open beside it (/tasks/42, with the
// page it was opened from behind it). Quick add (q), keyboard shortcuts (?) and the toasts live here.
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, Route, Routes, useLocation, useNavigate, useParams, type Location } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { tms } from "../api/tms";
import type { Task, TaskInput, User } from "../api/types";
import { Loading } from "../components/common";
import { useAppShortcuts, SHORTCUTS } from "./shortcuts";
import { QuickAdd } from "../features/quickadd/QuickAdd";
import { ShortcutsHelp } from "../features/shortcuts/ShortcutsHelp";
import { NotificationBell } from "../features/notifications/Bell";
import { ListPage } from "./ListPage";
import { idFrom, legacyPath, listFromLocation, listFromParam, type ListKey } from "./places";
import { keys, refreshTasks } from "./queries";
import { Sidebar } from "./Sidebar";
import { SyncStatus } from "./SyncStatus";
import { useTheme } from "./theme";
import { useWorkspace } from "./workspace";

// Loaded when first needed, so the first visit downloads only the lists (the bundle budget: docs/frontend.md).
const TaskPanel = lazy(() => import("../features/tasks/TaskPanel").then((m) => ({ default: m.TaskPanel })));
const AccountPage = lazy(() => import("../components/Panels").then((m) => ({ default: m.AccountPage })));
const LabelsManager = lazy(() => import("../components/Panels").then((m) => ({ default: m.LabelsManager })));
const DataPage = lazy(() => import("../features/data/DataPage").then((m) => ({ default: m.DataPage })));
const TrashPage = lazy(() => import("../features/trash/TrashPage").then((m) => ({ default: m.TrashPage })));
const CalendarPage = lazy(() => import("../features/calendar/CalendarPage").then((m) => ({ default: m.CalendarPage })));
const TokensPage = lazy(() => import("../features/tokens/TokensPage").then((m) => ({ default: m.TokensPage })));
const WebhooksPage = lazy(() => import("../features/webhooks/WebhooksPage").then((m) => ({ default: m.WebhooksPage })));
const DeliveriesPage = lazy(() => import("../features/webhooks/DeliveriesPage").then((m) => ({ default: m.DeliveriesPage })));
const NotificationSettingsPage = lazy(() =>
  import("../features/notifications/SettingsPage").then((m) => ({ default: m.NotificationSettingsPage })),
);
const SecurityPage = lazy(() => import("../features/security/SecurityPage").then((m) => ({ default: m.SecurityPage })));

export function Shell(props: { onUser: (user: User) => void; onSignOut: () => void; onSignedOut: () => void }) {
  const { t } = useTranslation();
  const workspace = useWorkspace();
  const { user, labels } = workspace;
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [theme, setTheme] = useTheme();
  const [menuOpen, setMenuOpen] = useState(false);
  const [quickAdd, setQuickAdd] = useState(false);
  const [help, setHelp] = useState(false);

  const background = (location.state as { background?: Location } | null)?.background;
  const taskMatch = /^\/tasks\/([^/]+)$/.exec(location.pathname);
  const openTask = taskMatch ? idFrom(taskMatch[1]) : null;
  const here = background ?? location;
  const list: ListKey = listFromLocation(here.pathname, here.search) ?? { kind: "all" };
  const defaults = { project: list.kind === "project" ? list.id : null, assignees: list.kind === "assigned" ? [user.id] : [] };
  const panelQuery = new URLSearchParams(location.search);
  const newTaskOpen = workspace.newTaskOpen;

  const changed = () => {
    void refreshTasks();
    void queryClient.invalidateQueries({ queryKey: keys.labels });
    void queryClient.invalidateQueries({ queryKey: keys.projects });
  };
  function closeTask() {
    if (background) navigate(-1);
    else navigate("/", { replace: true });
  }
  function open(task: Task) {
    navigate(`/tasks/${task.id}`, { state: { background: here } });
  }
  async function quickCreate(input: TaskInput) {
    await tms().createTask({ ...input, project: input.project ?? defaults.project });
    void refreshTasks();
  }

  // Off while a dialog or the task panel is open or still loading: what is typed then is not a shortcut.
  const quiet = quickAdd || help || newTaskOpen || openTask !== null;
  useAppShortcuts({ quickAdd: () => setQuickAdd(true), help: () => setHelp(true), newTask: workspace.newTask, list, enabled: !quiet });

  return (
    <div className="app">
      <a href="#main" className="skip-link">
        {t("Skip to the tasks")}
      </a>
      <SyncStatus />
      <header className="topbar">
        <button
          type="button"
          className="icon-button menu-button"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <span aria-hidden="true">☰</span>
          <span className="visually-hidden">{t("Menu")}</span>
        </button>
        <Link to="/inbox" className="brand">
          <img src="/favicon.svg" alt="" width="24" height="24" /> TMS
        </Link>
        <button
          type="button"
          className="quick-add-button"
          onClick={() => setQuickAdd(true)}
          aria-keyshortcuts="q"
          aria-label={t("Quick add")}
        >
          <span aria-hidden="true">+</span>
          <span className="button-text" aria-hidden="true">
            {" "}
            {t("Quick add")}
          </span>
        </button>
        <span className="spacer" />
        <NotificationBell />
        <button
          type="button"
          className="icon-button"
          aria-label={theme === "dark" ? t("Switch to the light theme") : t("Switch to the dark theme")}
          onClick={() => setTheme(theme === "dark" ? "light" : "dark")}
        >
          <span aria-hidden="true">{theme === "dark" ? "☀" : "☾"}</span>
        </button>
        <button type="button" className="icon-button help-button" aria-label={t("Keyboard shortcuts")} onClick={() => setHelp(true)}>
          <span aria-hidden="true">?</span>
        </button>
        <span className="who">{user.display_name || user.username}</span>
        <button type="button" className="secondary" onClick={props.onSignOut}>
          {t("Sign out")}
        </button>
      </header>
      <div className={menuOpen ? "layout menu-open" : "layout"}>
        <div id="sidebar" className="sidebar-wrap">
          <Sidebar onNavigate={() => setMenuOpen(false)} />
        </div>
        <main id="main" tabIndex={-1}>
          <Suspense fallback={<Loading what={t("the page")} />}>
            <Routes location={here}>
              <Route path="/" element={<Front />} />
              <Route path="/inbox" element={<ListPage list={{ kind: "inbox" }} view="list" />} />
              <Route path="/today" element={<ListPage list={{ kind: "today" }} view="list" />} />
              <Route path="/upcoming" element={<ListPage list={{ kind: "upcoming" }} view="list" />} />
              <Route path="/assigned" element={<ListPage list={{ kind: "assigned" }} view="list" />} />
              <Route path="/projects/:id" element={<WithId kind="project" />} />
              <Route path="/label/:id" element={<WithId kind="label" />} />
              <Route path="/board" element={<BoardRoute />} />
              <Route path="/tasks/:id" element={<ListPage list={{ kind: "all" }} view="list" />} />
              <Route path="/trash" element={<TrashPage />} />
              <Route path="/labels" element={<LabelsManager labels={labels} onChanged={changed} />} />
              <Route path="/data" element={<DataPage />} />
              <Route path="/calendar" element={<CalendarPage />} />
              <Route path="/settings/notifications" element={<NotificationSettingsPage />} />
              <Route path="/settings/security" element={<SecurityPage />} />
              <Route path="/settings/tokens" element={<TokensPage />} />
              <Route path="/settings/webhooks" element={<WebhooksPage />} />
              <Route path="/settings/webhooks/:id" element={<DeliveriesPage />} />
              <Route path="/account" element={<AccountPage user={user} onUser={props.onUser} onSignedOut={props.onSignedOut} />} />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </Suspense>
        </main>
      </div>
      <Suspense fallback={null}>
        {openTask !== null && (
          <TaskPanel
            key={openTask}
            taskId={openTask}
            editing={panelQuery.get("edit") === "1"}
            history={panelQuery.get("panel") === "history"}
            onClose={closeTask}
            onOpen={open}
          />
        )}
        {newTaskOpen && <TaskPanel taskId="new" defaults={defaults} onClose={workspace.closeNewTask} onOpen={open} />}
        {quickAdd && (
          <QuickAdd
            open
            onOpenChange={setQuickAdd}
            labels={labels}
            timeZone={user.time_zone}
            projectName={defaults.project === null ? t("Inbox") : workspace.projects.find((p) => p.id === defaults.project)?.name}
            onCreate={quickCreate}
          />
        )}
        {help && <ShortcutsHelp open onOpenChange={setHelp} shortcuts={SHORTCUTS.map((s) => ({ keys: s.keys, action: t(s.action) }))} />}
      </Suspense>
    </div>
  );
}

/** The front page: a link from before real URLs (?view=board) goes where it meant; else everything. */
function Front() {
  const location = useLocation();
  const legacy = legacyPath(location.search);
  if (legacy && legacy !== "/") return <Navigate to={legacy} replace />;
  return <ListPage list={{ kind: "all" }} view="list" />;
}

function WithId(props: { kind: "project" | "label" }) {
  const { id } = useParams();
  const number = idFrom(id);
  if (number === null) return <NotFound />;
  return <ListPage key={`${props.kind}-${number}`} list={{ kind: props.kind, id: number }} view="list" />;
}

function BoardRoute() {
  const location = useLocation();
  const list = listFromParam(new URLSearchParams(location.search).get("list"));
  return <ListPage key={JSON.stringify(list)} list={list} view="board" />;
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <section className="page" aria-label={t("Page not found")}>
      <h1>{t("Page not found")}</h1>
      <p>
        {t("There is nothing at this address.")} <Link to="/inbox">{t("Go to the Inbox")}</Link>
      </p>
    </section>
  );
}
