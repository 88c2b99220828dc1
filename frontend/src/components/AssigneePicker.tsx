import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client";
import { tms } from "../api/tms";
import type { Project, User, UserRef } from "../api/types";
import { displayName } from "./access";
import { ErrorNote } from "./common";

const MAX_ASSIGNEES = 10;

/** Who does the task: members of its project; on an Inbox task only yourself. */
export function AssigneePicker(props: {
  project: Project | null;
  me: User;
  value: number[];
  onChange: (ids: number[]) => void;
  /** The task's save error: its message about the assignees is shown here. */
  error?: unknown;
}) {
  const { t } = useTranslation();
  const { project, me } = props;
  const fieldMessage = props.error instanceof ApiError ? props.error.fieldMessage("assignees") : undefined;
  const [members, setMembers] = useState<{ project: number; users: UserRef[] } | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!project) return;
    let current = true;
    tms()
      .members(project)
      .then(
        (list) => current && setMembers({ project: project.id, users: list.map((m) => m.user) }),
        (caught) => current && setError(caught),
      );
    return () => {
      current = false;
    };
  }, [project]);

  const self: UserRef = { id: me.id, username: me.username, display_name: me.display_name };
  const people = !project ? [self] : members?.project === project.id ? members.users : [];
  const toggle = (id: number, on: boolean) => props.onChange(on ? [...props.value, id] : props.value.filter((v) => v !== id));

  return (
    <fieldset>
      <legend>{t("Assignees")}</legend>
      {project && members?.project !== project.id && !error && <span className="muted">{t("Loading members…")}</span>}
      {people.map((person) => (
        <label key={person.id} className="check">
          <input
            type="checkbox"
            checked={props.value.includes(person.id)}
            disabled={!props.value.includes(person.id) && props.value.length >= MAX_ASSIGNEES}
            onChange={(e) => toggle(person.id, e.target.checked)}
          />
          {displayName(person)}
          {person.id === me.id && ` ${t("(you)")}`}
        </label>
      ))}
      {fieldMessage && (
        <span className="field-error" id="assignees-error" role="alert">
          {fieldMessage}
        </span>
      )}
      <ErrorNote error={error} />
    </fieldset>
  );
}
