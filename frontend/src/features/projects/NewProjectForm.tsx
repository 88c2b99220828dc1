// "New project" in the sidebar: a name and a colour.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { tms } from "../../api/tms";
import type { Project } from "../../api/types";
import { ErrorNote, Field } from "../../components/common";

/** "New project": a name and a colour. */
export function NewProjectForm(props: { onCreated: (project: Project) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [colour, setColour] = useState("#2563eb");
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const project = await tms().createProject(name.trim(), colour);
      setName("");
      setOpen(false);
      props.onCreated(project);
    } catch (caught) {
      setError(caught);
    }
  }

  if (!open)
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)}>
        {t("New project")}
      </button>
    );
  return (
    <form className="new-project" onSubmit={submit} aria-label={t("New project")}>
      <Field label={t("Project name")} name="name" id="project-name" error={error}>
        {/* Opened on request: the name is where the keyboard should be. */}
        {/* eslint-disable-next-line jsx-a11y/no-autofocus */}
        <input id="project-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} required autoFocus />
      </Field>
      <Field label={t("Colour")} name="colour" id="project-colour" error={error}>
        <input id="project-colour" type="color" value={colour} onChange={(e) => setColour(e.target.value)} />
      </Field>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="submit">{t("Create project")}</button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          {t("Cancel")}
        </button>
      </div>
    </form>
  );
}
