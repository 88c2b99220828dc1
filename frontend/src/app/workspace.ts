// What every view of a signed-in session needs: who is signed in, their today, their projects and labels.
import { createContext, useContext } from "react";
import type { Label, Project, User } from "../api/types";

export interface Workspace {
  user: User;
  /** Today as YYYY-MM-DD in the person's time zone. */
  today: string;
  projects: Project[];
  labels: Label[];
  /** Open the editor for a new task (with the current list's project). */
  newTask: () => void;
  newTaskOpen: boolean;
  closeNewTask: () => void;
}

export const WorkspaceContext = createContext<Workspace | null>(null);

export function useWorkspace(): Workspace {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error("useWorkspace outside the signed-in app");
  return workspace;
}
