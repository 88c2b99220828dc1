// The lists: Inbox, Today, Upcoming, assigned to me, everything; the projects (archived ones folded away) and the
// labels; then the trash and the account. On a phone it is a drawer the menu button opens.
import { NavLink, useLocation } from "react-router";
import { useTranslation } from "react-i18next";
import { useQueryClient } from "@tanstack/react-query";
import type { Project } from "../api/types";
import { NewProjectForm } from "../features/projects/NewProjectForm";
import { boardPath, listFromLocation, listPath, sameList, type ListKey } from "./places";
import { Icon, type IconName } from "./icons";
import { keys } from "./queries";
import { useWorkspace } from "./workspace";
import { useNavigate } from "react-router";
import { translatable } from "../i18n";
import { ExtraIcon } from "../features/notifications/icons";

const FIXED: [ListKey, string, IconName][] = [
  [{ kind: "inbox" }, translatable("Inbox"), "inbox"],
  [{ kind: "today" }, translatable("Today"), "today"],
  [{ kind: "upcoming" }, translatable("Upcoming"), "upcoming"],
  [{ kind: "assigned" }, translatable("Assigned to me"), "assigned"],
  [{ kind: "all" }, translatable("All tasks"), "all"],
];

export function Sidebar(props: { onNavigate: () => void }) {
  const { t } = useTranslation();
  const { projects, labels } = useWorkspace();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const onBoard = location.pathname === "/board";
  const current = listFromLocation(location.pathname, location.search);
  const active = projects.filter((p) => !p.archived);
  const archived = projects.filter((p) => p.archived);

  const entry = (list: ListKey, name: string, icon?: IconName, colour?: string) => {
    const here = current !== null && sameList(list, current);
    return (
      <li key={`${list.kind}-${"id" in list ? list.id : ""}`}>
        <NavLink
          to={onBoard ? boardPath(list) : listPath(list)}
          className={here ? "nav-item current" : "nav-item"}
          aria-current={here ? "page" : undefined}
          onClick={props.onNavigate}
        >
          {colour ? <span className="swatch" style={{ background: colour }} aria-hidden="true" /> : icon && <Icon name={icon} />}
          <span className="nav-name">{name}</span>
        </NavLink>
      </li>
    );
  };
  const projectEntry = (p: Project) => entry({ kind: "project", id: p.id }, p.name, undefined, p.colour);

  return (
    <nav className="sidebar" aria-label={t("Lists")}>
      <ul className="plain">
        {FIXED.map(([list, name, icon]) => entry(list, t(name), icon))}
        <li>
          <NavLink to="/calendar" className={({ isActive }) => (isActive ? "nav-item current" : "nav-item")} onClick={props.onNavigate}>
            <ExtraIcon name="calendar" />
            <span className="nav-name">{t("Calendar")}</span>
          </NavLink>
        </li>
      </ul>
      <h2>{t("Projects")}</h2>
      {active.length === 0 && <p className="muted small-print">{t("No projects yet.")}</p>}
      <ul className="plain">{active.map(projectEntry)}</ul>
      {archived.length > 0 && (
        <details open={archived.some((p) => current?.kind === "project" && current.id === p.id)}>
          <summary>{t("Archived ({{count}})", { count: archived.length })}</summary>
          <ul className="plain">{archived.map(projectEntry)}</ul>
        </details>
      )}
      <NewProjectForm
        onCreated={(project) => {
          void queryClient.invalidateQueries({ queryKey: keys.projects });
          navigate(listPath({ kind: "project", id: project.id }));
          props.onNavigate();
        }}
      />
      {labels.length > 0 && (
        <>
          <h2>{t("Labels")}</h2>
          <ul className="plain">{labels.map((l) => entry({ kind: "label", id: l.id }, l.name, undefined, l.colour))}</ul>
        </>
      )}
      <ul className="plain sidebar-end">
        {(
          [
            ["/trash", translatable("Trash"), "trash"],
            ["/labels", translatable("Manage labels"), "labels"],
            ["/data", translatable("Stats and data"), "stats"],
            ["/account", translatable("Account"), "account"],
          ] as const
        ).map(([path, name, icon]) => (
          <li key={path}>
            <NavLink to={path} className={({ isActive }) => (isActive ? "nav-item current" : "nav-item")} onClick={props.onNavigate}>
              <Icon name={icon} />
              <span className="nav-name">{t(name)}</span>
            </NavLink>
          </li>
        ))}
        <li>
          <NavLink
            to="/settings/notifications"
            className={({ isActive }) => (isActive ? "nav-item current" : "nav-item")}
            onClick={props.onNavigate}
          >
            <ExtraIcon name="bell" />
            <span className="nav-name">{t("Notifications")}</span>
          </NavLink>
        </li>
      </ul>
    </nav>
  );
}
