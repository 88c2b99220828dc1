import { useCallback, useEffect, useState, type FormEvent } from "react";
import { tms } from "../api/tms";
import type { Comment, Role, Task, User } from "../api/types";
import { canManage, canWrite, displayName } from "./access";
import { ErrorNote, Field, Loading, TASK_GONE, changer } from "./common";

/** A task's comments, oldest first: add one, edit or delete your own; admins and the owner delete any. */
export function CommentThread(props: {
  task: Task;
  me: User;
  myRole: Role;
  /** The task answered 404: deleted, or no longer shared. */
  onGone?: () => void;
}) {
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
    <section className="comments" aria-label="Comments">
      <h3>Comments {comments && <span className="count">{comments.length}</span>}</h3>
      {!comments && !error && <Loading what="comments" />}
      {comments?.length === 0 && <p className="muted">No comments yet.</p>}
      <ol className="plain">
        {comments?.map((comment) => {
          const mine = comment.author?.id === props.me.id;
          return (
            <CommentItem
              key={comment.id}
              comment={comment}
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
  canEdit: boolean;
  canDelete: boolean;
  onEdit: (body: string) => Promise<boolean>;
  onDelete: () => void;
}) {
  const { comment } = props;
  const [editing, setEditing] = useState(false);
  const [body, setBody] = useState(comment.body);
  const author = displayName(comment.author);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (await props.onEdit(body)) setEditing(false);
  }

  return (
    <li className="comment" aria-label={`Comment by ${author}`}>
      <p className="meta">
        <strong>{author}</strong>
        <time dateTime={comment.created_at}>{new Date(comment.created_at).toLocaleString()}</time>
        {comment.edited && (
          <span className="muted" title={`Edited ${new Date(comment.updated_at).toLocaleString()}`}>
            (edited)
          </span>
        )}
      </p>
      {editing ? (
        <form onSubmit={save} aria-label="Edit comment">
          <Field label="Comment" name="body" id={`comment-${comment.id}`}>
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
              Save comment
            </button>
            <button type="button" className="small secondary" onClick={() => setEditing(false)}>
              Cancel
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
              Edit comment
            </button>
          )}
          {props.canDelete && (
            <button type="button" className="small danger" onClick={props.onDelete}>
              Delete comment
            </button>
          )}
        </div>
      )}
    </li>
  );
}

function CommentForm(props: { error: unknown; onAdd: (body: string) => Promise<boolean> }) {
  const [body, setBody] = useState("");
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await props.onAdd(body)) setBody("");
  }
  return (
    <form onSubmit={submit} aria-label="Add a comment">
      <Field label="Comment" name="body" id="new-comment" error={props.error}>
        <textarea id="new-comment" value={body} maxLength={10000} rows={3} onChange={(e) => setBody(e.target.value)} required />
      </Field>
      <button type="submit">Add comment</button>
    </form>
  );
}
