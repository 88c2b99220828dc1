// Today (YYYY-MM-DD) of the signed-in person, where there is one: task actions also run outside the signed-in shell
// (in tests), where their messages fall back to the date itself.
import { useContext } from "react";
import { WorkspaceContext } from "../../app/workspace";

export function useWorkspaceToday(): string | null {
  return useContext(WorkspaceContext)?.today ?? null;
}
