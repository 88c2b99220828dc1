// A list's page: its name, List or Board, the project's own header and members when it is a project, then the
// tasks. A project that went away (deleted, no longer shared) says so once and offers the other lists.
import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { canWrite } from "../components/access";
import { MembersPanel } from "../components/MembersPanel";
import { ProjectHeader } from "../components/ProjectHeader";
import { Loading } from "../components/common";
import { listName } from "../features/tasks/listNames";
import { TaskListView } from "../features/tasks/TaskListView";
import { boardPath, listPath, type ListKey } from "./places";
import { keys } from "./queries";
import { useToast } from "./toast";
import { useWorkspace } from "./workspace";

// The board (and its drag and drop) loads when first shown.
const Board = lazy(() => import("../features/board/Board").then((m) => ({ default: m.Board })));

export function ListPage(props: { list: ListKey; view: "list" | "board" }) {
  const { t } = useTranslation();
  const { projects, labels, user, newTask } = useWorkspace();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [membersOpen, setMembersOpen] = useState(false);
  const { list } = props;
  const project = list.kind === "project" ? projects.find((p) => p.id === list.id) : undefined;
  const label = list.kind === "label" ? labels.find((l) => l.id === list.id) : undefined;
  const missing = (list.kind === "project" && !project) || (list.kind === "label" && !label);
  const refreshProjects = () => queryClient.invalidateQueries({ queryKey: keys.projects });
  /** Left or deleted: back to the Inbox, saying what happened. */
  const gone = (message: string) => {
    void refreshProjects();
    void queryClient.invalidateQueries({ queryKey: keys.all });
    navigate("/inbox");
    toast({ message });
  };

  if (missing)
    return (
      <section className="page" aria-labelledby="page-title">
        <h1 id="page-title">{list.kind === "project" ? t("Project not available") : t("Label not found")}</h1>
        <p role="status" className="notice">
          {list.kind === "project"
            ? t("This project is no longer available to you: it was deleted or is no longer shared with you.")
            : t("This label does not exist (any more).")}{" "}
          <Link to="/inbox">{t("Go to the Inbox")}</Link>
        </p>
      </section>
    );

  const name = listName(list, projects, labels) ?? "";
  const writable = !project || canWrite(project.role);
  return (
    <section className="page" aria-label={name}>
      <div className="page-head">
        {project ? (
          <ProjectHeader
            project={project}
            membersOpen={membersOpen}
            onToggleMembers={() => setMembersOpen(!membersOpen)}
            onChanged={() => void refreshProjects()}
            onDeleted={(p) => gone(t("“{{name}}” and its tasks are in the trash.", { name: p.name }))}
            onGone={() => void refreshProjects()}
          />
        ) : (
          <h1 id="page-title">{name}</h1>
        )}
        <div className="view-switch" role="group" aria-label={t("View")}>
          <Link
            to={{ pathname: listPath(list), search: location.pathname === "/board" ? "" : location.search }}
            className={props.view === "list" ? "switch current" : "switch"}
            aria-current={props.view === "list" ? "page" : undefined}
          >
            {t("List")}
          </Link>
          <Link
            to={boardPath(list)}
            className={props.view === "board" ? "switch current" : "switch"}
            aria-current={props.view === "board" ? "page" : undefined}
          >
            {t("Board")}
          </Link>
        </div>
        {writable && (
          <button type="button" className="new-task" onClick={newTask}>
            <span aria-hidden="true">+ </span>
            {t("New task")}
          </button>
        )}
      </div>
      {project && membersOpen && (
        <MembersPanel
          project={project}
          me={user}
          onLeft={(p) => gone(t("You left “{{name}}”.", { name: p.name }))}
          onClose={() => setMembersOpen(false)}
          onGone={() => void refreshProjects()}
        />
      )}
      {props.view === "list" ? (
        <TaskListView list={list} />
      ) : (
        <Suspense fallback={<Loading what={t("the board")} />}>
          <Board list={list} />
        </Suspense>
      )}
    </section>
  );
}
