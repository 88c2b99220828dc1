import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { tms } from "../api/tms";
import type { Comment, Role, Task, User } from "../api/types";
import { canManage, canWrite, displayName } from "./access";
import { formatDateTime } from "../lib/dates";
import { ErrorNote, Field, Loading, TASK_GONE, changer } from "./common";

/** A task's comments, oldest first: add one, edit or delete your own; admins and the owner delete any. */
export function CommentThread(props: {
  task: Task;
  me: User;
  myRole: Role;
  /** The task answered 404: deleted, or no longer shared. */
  onGone?: () => void;
}) {
  const { t } = useTranslation();
  const { task } = props;
  const [comments, setComments] = useState<Comment[] | null>(null);
  const writer = canWrite(props.myRole);
  const id = task.id;
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => tms().comments({ id }).then(setComments, setError), [id]);
  const act = changer(setError, load, props.onGone);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="comments" aria-label={t("Comments")}>
      <h3>
        {t("Comments")} {comments && <span className="count">{comments.length}</span>}
      </h3>
      {!comments && !error && <Loading what={t("comments")} />}
      {comments?.length === 0 && <p className="muted">{t("No comments yet.")}</p>}
      <ol className="plain">
        {comments?.map((comment) => {
          const mine = comment.author?.id === props.me.id;
          return (
            <CommentItem
              key={comment.id}
              comment={comment}
              timeZone={props.me.time_zone}
              canEdit={mine && writer}
              canDelete={(mine && writer) || canManage(props.myRole)}
              onEdit={(body) => act(() => tms().editComment(task, comment, body))}
              onDelete={() => act(() => tms().deleteComment(task, comment))}
            />
          );
        })}
      </ol>
      {writer && <CommentForm error={error} onAdd={(body) => act(() => tms().addComment(task, body))} />}
      <ErrorNote error={error} notFound={TASK_GONE} />
    </section>
  );
}

/** One comment. Its body is plain text: shown as text, line breaks kept by CSS. */
export function CommentItem(props: {
  comment: Comment;
  /** The reader's time zone (their account's); the browser's when not given. */
  timeZone?: string;
  canEdit: boolean;
  canDelete: boolean;
  onEdit: (body: string) => Promise<boolean>;
  onDelete: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { comment } = props;
  const when = (iso: string) => formatDateTime(iso, i18n.language, props.timeZone);
  const [editing, setEditing] = useState(false);
  const [body, setBody] = useState(comment.body);
  const author = displayName(comment.author);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (await props.onEdit(body)) setEditing(false);
  }

  return (
    <li className="comment" aria-label={t("Comment by {{author}}", { author })}>
      <p className="meta">
        <strong>{author}</strong>
        <time dateTime={comment.created_at}>{when(comment.created_at)}</time>
        {comment.edited && (
          <span className="muted" title={t("Edited {{when}}", { when: when(comment.updated_at) })}>
            {t("(edited)")}
          </span>
        )}
      </p>
      {editing ? (
        <form onSubmit={save} aria-label={t("Edit comment")}>
          <Field label={t("Comment")} name="body" id={`comment-${comment.id}`}>
            <textarea
              id={`comment-${comment.id}`}
              value={body}
              maxLength={10000}
              rows={3}
              onChange={(e) => setBody(e.target.value)}
              required
            />
          </Field>
          <div className="actions">
            <button type="submit" className="small">
              {t("Save comment")}
            </button>
            <button type="button" className="small secondary" onClick={() => setEditing(false)}>
              {t("Cancel")}
            </button>
          </div>
        </form>
      ) : (
        <p className="comment-body">{comment.body}</p>
      )}
      {!editing && (props.canEdit || props.canDelete) && (
        <div className="card-actions">
          {props.canEdit && (
            <button type="button" className="small" onClick={() => setEditing(true)}>
              {t("Edit comment")}
            </button>
          )}
          {props.canDelete && (
            <button type="button" className="small danger" onClick={props.onDelete}>
              {t("Delete comment")}
            </button>
          )}
        </div>
      )}
    </li>
  );
}

function CommentForm(props: { error: unknown; onAdd: (body: string) => Promise<boolean> }) {
  const { t } = useTranslation();
  const [body, setBody] = useState("");
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await props.onAdd(body)) setBody("");
  }
  return (
    <form onSubmit={submit} aria-label={t("Add a comment")}>
      <Field label={t("Comment")} name="body" id="new-comment" error={props.error}>
        <textarea id="new-comment" value={body} maxLength={10000} rows={3} onChange={(e) => setBody(e.target.value)} required />
      </Field>
      <button type="submit">{t("Add comment")}</button>
    </form>
  );
}
