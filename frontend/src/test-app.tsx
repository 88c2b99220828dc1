// Render a piece of the signed-in app as it runs: a fresh query cache, a router at `route`, toasts, and the
// workspace (who is signed in, projects, labels) the views read.
import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import type { Label, Project } from "./api/types";
import { queryClient } from "./app/queries";
import { ToastProvider } from "./app/toast";
import { WorkspaceContext, type Workspace } from "./app/workspace";
import { ME } from "./test-support";

export function renderInApp(ui: ReactNode, options: { route?: string; projects?: Project[]; labels?: Label[]; today?: string } = {}) {
  queryClient.clear();
  const workspace: Workspace = {
    user: ME,
    today: options.today ?? "2026-11-27",
    projects: options.projects ?? [],
    labels: options.labels ?? [],
    newTask: () => undefined,
    newTaskOpen: false,
    closeNewTask: () => undefined,
  };
  return render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[options.route ?? "/"]}>
        <ToastProvider>
          <WorkspaceContext.Provider value={workspace}>{ui}</WorkspaceContext.Provider>
        </ToastProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
