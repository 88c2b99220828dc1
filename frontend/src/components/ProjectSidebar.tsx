import { useState, type FormEvent } from "react";
import { tms } from "../api/tms";
import type { Project } from "../api/types";
import { sameScope, type Scope } from "./access";
import { ErrorNote, Field } from "./common";

const FIXED: [Scope, string][] = [
  [{ kind: "all" }, "All tasks"],
  [{ kind: "inbox" }, "Inbox"],
  [{ kind: "assigned" }, "Assigned to me"],
];

function scopeKey(scope: Scope): string {
  return scope.kind === "project" ? `project:${scope.id}` : scope.kind;
}

function scopeFromKey(key: string, projects: Project[]): Scope {
  if (key.startsWith("project:")) {
    const id = Number(key.slice("project:".length));
    return { kind: "project", id, name: projects.find((p) => p.id === id)?.name };
  }
  return { kind: key as "all" | "inbox" | "assigned" };
}

/** The lists to pick from: All, Inbox, Assigned to me, each project (archived ones folded away); a select on a phone. */
export function ProjectSidebar(props: {
  projects: Project[];
  scope: Scope;
  onSelect: (scope: Scope) => void;
  onCreated: (project: Project) => void;
}) {
  const active = props.projects.filter((p) => !p.archived);
  const archived = props.projects.filter((p) => p.archived);
  const entry = (scope: Scope, name: string, colour?: string) => {
    const current = sameScope(scope, props.scope);
    return (
      <li key={scopeKey(scope)}>
        <button
          type="button"
          className={current ? "scope current" : "scope"}
          aria-current={current ? "page" : undefined}
          onClick={() => props.onSelect(scope)}
        >
          {colour && <span className="swatch" style={{ background: colour }} aria-hidden="true" />} {name}
        </button>
      </li>
    );
  };
  const projectEntry = (p: Project) => entry({ kind: "project", id: p.id, name: p.name }, p.name, p.colour);
  return (
    <aside className="sidebar" aria-label="Projects">
      <div className="field scope-select">
        <label htmlFor="scope-select">Show</label>
        <select
          id="scope-select"
          value={scopeKey(props.scope)}
          onChange={(e) => props.onSelect(scopeFromKey(e.target.value, props.projects))}
        >
          {FIXED.map(([scope, name]) => (
            <option key={scope.kind} value={scope.kind}>
              {name}
            </option>
          ))}
          {props.projects.map((p) => (
            <option key={p.id} value={`project:${p.id}`}>
              {p.archived ? `${p.name} (archived)` : p.name}
            </option>
          ))}
        </select>
      </div>
      <nav className="scope-list" aria-label="Task lists">
        <ul className="plain">{FIXED.map(([scope, name]) => entry(scope, name))}</ul>
        <h2>Projects</h2>
        {active.length === 0 && <p className="muted">No projects yet.</p>}
        <ul className="plain">{active.map(projectEntry)}</ul>
        {archived.length > 0 && (
          <details open={archived.some((p) => sameScope({ kind: "project", id: p.id }, props.scope))}>
            <summary>Archived ({archived.length})</summary>
            <ul className="plain">{archived.map(projectEntry)}</ul>
          </details>
        )}
      </nav>
      <NewProjectForm onCreated={props.onCreated} />
    </aside>
  );
}

/** "New project": a name and a colour. */
export function NewProjectForm(props: { onCreated: (project: Project) => void }) {
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
        New project
      </button>
    );
  return (
    <form className="new-project" onSubmit={submit} aria-label="New project">
      <Field label="Project name" name="name" id="project-name" error={error}>
        {/* Opened on request: the name is where the keyboard should be. */}
        {/* eslint-disable-next-line jsx-a11y/no-autofocus */}
        <input id="project-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} required autoFocus />
      </Field>
      <Field label="Colour" name="colour" id="project-colour" error={error}>
        <input id="project-colour" type="color" value={colour} onChange={(e) => setColour(e.target.value)} />
      </Field>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="submit">Create project</button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
