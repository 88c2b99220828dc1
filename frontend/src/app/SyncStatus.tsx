// The connection and the changes made without it: offline, how many wait to be sent, and each change the server
// refused when it was sent (someone else's newer edit: keep theirs, or save mine over it).
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import { tms } from "../api/tms";
import type { Task } from "../api/types";
import type { Conflict, QueueState } from "../offline/queue";
import { refreshTasks } from "./queries";
import { useToast } from "./toast";

function useOnline() {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  }, []);
  return online;
}

/** The offline queue's state; when writes have been sent, the lists are fetched again (a task made offline now
 * has its real id). */
function useQueue(): QueueState | null {
  const [state, setState] = useState<QueueState | null>(api.queue?.state ?? null);
  useEffect(() => {
    let pending = api.queue?.state.pending ?? 0;
    return api.queue?.subscribe((next) => {
      if (next.pending < pending) void refreshTasks();
      pending = next.pending;
      setState(next);
    });
  }, []);
  return state;
}

export function SyncStatus() {
  const { t } = useTranslation();
  const online = useOnline();
  const queue = useQueue();
  const pending = queue?.pending ?? 0;
  return (
    <>
      {(!online || pending > 0) && (
        <div role="status" className="offline">
          {!online && t("You are offline. New tasks and edits are kept in this browser and sent when the connection is back.")}{" "}
          {pending > 0 && t("{{count}} changes are waiting to be sent.", { count: pending })}
        </div>
      )}
      {queue?.conflicts.map((conflict) => (
        <ConflictNote key={conflict.write.seq} conflict={conflict} />
      ))}
    </>
  );
}

function ConflictNote({ conflict }: { conflict: Conflict }) {
  const { t } = useTranslation();
  const toast = useToast();
  const title = conflict.current?.title ?? ("title" in conflict.write.body ? conflict.write.body.title : undefined) ?? "";
  const dismiss = () => {
    api.queue?.dismiss(conflict);
    void refreshTasks();
  };
  async function saveMine() {
    try {
      const current: Task = conflict.current ?? (await tms().task(conflict.write.taskId));
      await tms().updateTask(current, conflict.write.body);
      dismiss();
      toast({ message: t("Your change to “{{title}}” is saved.", { title }) });
    } catch (caught) {
      toast({ message: caught instanceof Error ? caught.message : String(caught), tone: "error" });
    }
  }
  const edit = conflict.write.kind === "edit" && conflict.status === 412;
  return (
    <div role="alert" className="conflict sync-conflict">
      <p>
        {edit
          ? t("Your offline change to “{{title}}” was not saved: someone else changed the task meanwhile.", { title })
          : t("A change made offline was refused: {{message}}", { message: conflict.message })}
      </p>
      <div className="actions">
        {edit && (
          <button type="button" className="small" onClick={() => void saveMine()}>
            {t("Save mine over theirs")}
          </button>
        )}
        <button type="button" className="secondary small" onClick={dismiss}>
          {edit ? t("Keep theirs") : t("Dismiss")}
        </button>
      </div>
    </div>
  );
}
