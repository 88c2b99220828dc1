// Selection mode's toolbar: one change to every selected task (complete, reopen, priority, trash), with Undo.
import { useTranslation } from "react-i18next";
import { tms } from "../../api/tms";
import { PRIORITIES, PRIORITY_NAMES, type Task } from "../../api/types";
import { refreshTasks } from "../../app/queries";
import { useToast } from "../../app/toast";
import { messageOf } from "../../components/common";

export function BulkBar(props: { selected: Task[]; shown: Task[]; onSelect: (tasks: Task[]) => void; onDone: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const ids = props.selected.map((task) => task.id);
  const count = ids.length;

  async function run(action: "complete" | "reopen" | "trash" | "set_priority", value?: string) {
    try {
      const result = await tms().bulk(action, ids, value);
      const undo: Record<string, (() => Promise<unknown>) | undefined> = {
        complete: () => tms().bulk("reopen", ids),
        reopen: () => tms().bulk("complete", ids),
        trash: () => tms().bulk("restore", ids),
      };
      const again = undo[action];
      toast({
        message: t("Changed {{count}} tasks.", { count: result.changed }),
        undo: again ? () => again().finally(refreshTasks) : undefined,
      });
      props.onDone();
    } catch (caught) {
      toast({ message: messageOf(caught), tone: "error" });
    } finally {
      void refreshTasks();
    }
  }

  return (
    <div className="bulk-bar" role="toolbar" aria-label={t("Selected tasks")}>
      <span role="status">{t("{{count}} selected", { count })}</span>
      <button type="button" className="secondary small" onClick={() => props.onSelect(props.shown)}>
        {t("Select all shown")}
      </button>
      <button type="button" className="small" disabled={!count} onClick={() => run("complete")}>
        {t("Complete")}
      </button>
      <button type="button" className="secondary small" disabled={!count} onClick={() => run("reopen")}>
        {t("Reopen")}
      </button>
      <label className="inline">
        <span className="visually-hidden">{t("Set priority")}</span>
        <select value="" disabled={!count} onChange={(e) => e.target.value && run("set_priority", e.target.value)}>
          <option value="">{t("Set priority…")}</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {t(PRIORITY_NAMES[p])}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="danger small" disabled={!count} onClick={() => run("trash")}>
        {t("Move to trash")}
      </button>
      <button type="button" className="secondary small" onClick={props.onDone}>
        {t("Done selecting")}
      </button>
    </div>
  );
}
