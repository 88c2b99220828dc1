import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { tms } from "../api/tms";
import type { Invite, Member, Project, User } from "../api/types";
import { canManage, displayName, GRANTABLE, ROLE_NAMES } from "./access";
import { changer, ErrorNote, Field, isGone, Loading, PROJECT_GONE } from "./common";

/** Who the project is shared with: invite, change roles, remove; leave it yourself. */
export function MembersPanel(props: {
  project: Project;
  me: User;
  onLeft: (project: Project) => void;
  onClose: () => void;
  /** The project answered 404: deleted, or no longer shared. */
  onGone?: () => void;
}) {
  const { t } = useTranslation();
  const { project, onGone } = props;
  const [members, setMembers] = useState<Member[] | null>(null);
  const manager = canManage(project.role);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(
    () =>
      tms()
        .members(project)
        .then(setMembers, (caught) => {
          setError(caught);
          if (isGone(caught)) onGone?.();
        }),
    [project, onGone],
  );
  const act = changer(setError, load, onGone);

  async function leave() {
    setError(null);
    try {
      await tms().removeMember(project, props.me.id);
      props.onLeft(project);
    } catch (caught) {
      setError(caught);
    }
  }

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="panel members" aria-label={t("Members")}>
      <h2>{t("Members of “{{name}}”", { name: project.name })}</h2>
      {manager && <InviteForm project={project} onInvited={load} />}
      <ErrorNote error={error} notFound={PROJECT_GONE} />
      {!members && !error && <Loading what={t("members")} />}
      <ul className="plain">
        {members?.map((m) => (
          <MemberRow
            key={m.user.id}
            member={m}
            isMe={m.user.id === props.me.id}
            manager={manager}
            onRole={(role) => act(() => tms().changeRole(project, m.user.id, role))}
            onRemove={() => act(() => tms().removeMember(project, m.user.id))}
            onLeave={leave}
          />
        ))}
      </ul>
      <button type="button" className="secondary" onClick={props.onClose}>
        {t("Close members")}
      </button>
    </section>
  );
}

function MemberRow(props: {
  member: Member;
  isMe: boolean;
  manager: boolean;
  onRole: (role: Invite["role"]) => void;
  onRemove: () => void;
  onLeave: () => void;
}) {
  const { t } = useTranslation();
  const { member, isMe } = props;
  const name = displayName(member.user);
  const owner = member.role === "owner";
  const editable = props.manager && !owner && !isMe;
  return (
    <li className="member">
      <span>
        {name}
        {member.user.display_name && <span className="muted"> @{member.user.username}</span>}
        {isMe && <span className="muted"> {t("(you)")}</span>}
      </span>
      {editable ? (
        <select
          aria-label={t("Role of {{name}}", { name })}
          value={member.role}
          onChange={(e) => props.onRole(e.target.value as Invite["role"])}
        >
          {GRANTABLE.map((role) => (
            <option key={role} value={role}>
              {ROLE_NAMES[role]}
            </option>
          ))}
        </select>
      ) : (
        <span className="badge">{ROLE_NAMES[member.role]}</span>
      )}
      {editable && (
        <button type="button" className="small danger" aria-label={t("Remove {{name}}", { name })} onClick={props.onRemove}>
          {t("Remove")}
        </button>
      )}
      {isMe && !owner && (
        <button type="button" className="small danger" onClick={props.onLeave}>
          {t("Leave project")}
        </button>
      )}
    </li>
  );
}

/** Invite by username (added at once) or by email (the server's answer is shown as it is). */
function InviteForm(props: { project: Project; onInvited: () => void }) {
  const { t } = useTranslation();
  const [user, setUser] = useState("");
  const [role, setRole] = useState<Invite["role"]>("editor");
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setSent(null);
    try {
      const answer = await tms().invite(props.project, { user: user.trim(), role });
      if ("detail" in answer) setSent(answer.detail);
      setUser("");
      props.onInvited();
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <form className="row" onSubmit={submit} aria-label={t("Invite")}>
      <Field label={t("Username or email")} name="user" id="invite-user" error={error}>
        <input id="invite-user" value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" required />
      </Field>
      <Field label={t("Role")} name="role" id="invite-role" error={error}>
        <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Invite["role"])}>
          {GRANTABLE.map((r) => (
            <option key={r} value={r}>
              {ROLE_NAMES[r]}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit">{t("Invite")}</button>
      <ErrorNote error={error} />
      {sent && <p role="status">{sent}</p>}
    </form>
  );
}
