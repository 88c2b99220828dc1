// The app: a link from a mail (reset, email change) opens its own page, signed in or not; otherwise the sign-in
// screen or, once signed in, the workspace. Routing (react-router), server state (TanStack Query) and toasts wrap it.
import { QueryClientProvider } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { BrowserRouter, useLocation } from "react-router";
import { api } from "./api/client";
import { tms } from "./api/tms";
import type { User } from "./api/types";
import { queryClient, useLabels, useProjects } from "./app/queries";
import { Shell } from "./app/Shell";
import { ToastProvider } from "./app/toast";
import { WorkspaceContext, type Workspace } from "./app/workspace";
import { AuthScreen } from "./components/AuthScreen";
import { ErrorNote, Loading, todayIn } from "./components/common";
import { MailLinkPage, mailLinkFrom } from "./components/MailLinks";
import { t } from "./i18n";

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <ToastProvider>
          <Entry />
        </ToastProvider>
      </BrowserRouter>
    </QueryClientProvider>
  );
}

function Entry() {
  const location = useLocation();
  const link = mailLinkFrom(location);
  if (link) return <MailLinkPage link={link} />;
  return <Session />;
}

function Session() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const signedOut = useCallback(() => {
    api.setAccessToken(null);
    queryClient.clear(); // nothing of this account stays in memory for the next one
    setUser(null);
  }, []);

  // A reload keeps the session: the refresh cookie buys a new access token. Without a network the app opens
  // on what this browser last saw of the account, and the session is checked once the network is back.
  useEffect(() => {
    api.onSessionEnded = signedOut;
    api.refresh().then(
      async (ok) => setUser(ok ? await tms().me() : null),
      async () =>
        setUser(
          api.resumeOffline()
            ? await tms()
                .me()
                .catch(() => null)
            : null,
        ),
    );
    const back = () => {
      if (!api.signedIn && api.user !== null) void api.refresh().then((ok) => (ok ? undefined : signedOut()));
    };
    window.addEventListener("online", back);
    return () => window.removeEventListener("online", back);
  }, [signedOut]);

  if (user === undefined) return <Loading what="TMS" />;
  if (user === null) return <AuthScreen onSignedIn={setUser} />;
  return <SignedIn user={user} onUser={setUser} onSignOut={() => api.logout().finally(signedOut)} onSignedOut={signedOut} />;
}

function SignedIn(props: { user: User; onUser: (user: User) => void; onSignOut: () => void; onSignedOut: () => void }) {
  const projects = useProjects();
  const labels = useLabels();
  const [newTaskOpen, setNewTaskOpen] = useState(false);
  const today = todayIn(props.user.time_zone);
  const workspace: Workspace | null = useMemo(
    () =>
      projects.data && labels.data
        ? {
            user: props.user,
            today,
            projects: projects.data,
            labels: labels.data,
            newTask: () => setNewTaskOpen(true),
            newTaskOpen,
            closeNewTask: () => setNewTaskOpen(false),
          }
        : null,
    [props.user, today, projects.data, labels.data, newTaskOpen],
  );
  if (projects.error || labels.error) return <ErrorNote error={projects.error ?? labels.error} />;
  if (!workspace) return <Loading what={t("your lists")} />;
  return (
    <WorkspaceContext.Provider value={workspace}>
      <Shell onUser={props.onUser} onSignOut={props.onSignOut} onSignedOut={props.onSignedOut} />
    </WorkspaceContext.Provider>
  );
}
