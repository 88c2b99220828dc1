import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { tms } from "../api/tms";
import type { Project } from "../api/types";
import { canDelete, canManage, ROLE_NAMES } from "./access";
import { ErrorNote, Field, isGone, PROJECT_GONE } from "./common";

/** A project's name and what the caller's role lets them do with it: members, rename, archive, delete. */
export function ProjectHeader(props: {
  project: Project;
  membersOpen: boolean;
  onToggleMembers: () => void;
  onChanged: (project: Project) => void;
  onDeleted: (project: Project) => void;
  /** The project answered 404: deleted, or no longer shared. */
  onGone?: () => void;
}) {
  const { t } = useTranslation();
  const { project } = props;
  const [mode, setMode] = useState<"view" | "rename" | "delete">("view");
  const [error, setError] = useState<unknown>(null);

  async function run(action: () => Promise<void>) {
    setError(null);
    try {
      await action();
      setMode("view");
    } catch (caught) {
      setError(caught);
      if (isGone(caught)) props.onGone?.();
    }
  }

  const archive = () => run(async () => props.onChanged(await tms().updateProject(project, { archived: !project.archived })));
  const remove = () =>
    run(async () => {
      await tms().deleteProject(project);
      props.onDeleted(project);
    });

  return (
    <section className="project-head" aria-label={t("Project {{name}}", { name: project.name })}>
      <div className="project-title">
        <span className="swatch" style={{ background: project.colour }} aria-hidden="true" />
        <h1>{project.name}</h1>
        {project.archived && <span className="badge">{t("Archived")}</span>}
        <span className="badge">{ROLE_NAMES[project.role]}</span>
      </div>
      {mode === "rename" ? (
        <RenameProject
          project={project}
          onRenamed={(p) => run(async () => props.onChanged(p))}
          onCancel={() => setMode("view")}
          onGone={props.onGone}
        />
      ) : mode === "delete" ? (
        <div className="confirm" role="group" aria-label={t("Confirm deletion")}>
          <span>{t("Move “{{name}}” and its tasks to the trash?", { name: project.name })}</span>
          <button type="button" className="danger" onClick={remove}>
            {t("Delete {{name}}", { name: project.name })}
          </button>
          <button type="button" className="secondary" onClick={() => setMode("view")}>
            {t("Keep it")}
          </button>
        </div>
      ) : (
        <div className="card-actions">
          <button type="button" className="small" aria-expanded={props.membersOpen} onClick={props.onToggleMembers}>
            {t("Members")}
          </button>
          {canManage(project.role) && (
            <>
              <button type="button" className="small" onClick={() => setMode("rename")}>
                {t("Rename")}
              </button>
              <button type="button" className="small" onClick={archive}>
                {project.archived ? t("Unarchive") : t("Archive")}
              </button>
            </>
          )}
          {canDelete(project.role) && (
            <button type="button" className="small danger" onClick={() => setMode("delete")}>
              {t("Delete project")}
            </button>
          )}
        </div>
      )}
      <ErrorNote error={error} notFound={PROJECT_GONE} />
    </section>
  );
}

function RenameProject(props: { project: Project; onRenamed: (project: Project) => void; onCancel: () => void; onGone?: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(props.project.name);
  const [error, setError] = useState<unknown>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      props.onRenamed(await tms().updateProject(props.project, { name: name.trim() }));
    } catch (caught) {
      setError(caught);
      if (isGone(caught)) props.onGone?.();
    }
  }
  return (
    <form className="row" onSubmit={submit} aria-label={t("Rename project")}>
      <Field label={t("Name")} name="name" id="rename-project" error={error}>
        {/* eslint-disable-next-line jsx-a11y/no-autofocus */}
        <input id="rename-project" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} required autoFocus />
      </Field>
      <button type="submit">{t("Save name")}</button>
      <button type="button" className="secondary" onClick={props.onCancel}>
        {t("Cancel")}
      </button>
      <ErrorNote error={error} notFound={PROJECT_GONE} />
    </form>
  );
}
