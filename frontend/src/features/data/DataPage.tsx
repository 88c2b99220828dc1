// Your tasks at a glance (the stats), and your data to take away or bring in: the JSON export, in parts for large
// accounts, and its import.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type ChangeEvent } from "react";
import { useTranslation } from "react-i18next";
import { tms } from "../../api/tms";
import { STATUSES, STATUS_NAMES, type ImportRequest, type ImportResult } from "../../api/types";
import { keys } from "../../app/queries";
import { ErrorNote, Loading } from "../../components/common";
import { formatNumber } from "../../lib/dates";

/** Save `data` as a file the browser downloads. */
function download(name: string, data: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

/** A chosen file's text (FileReader: what every browser has). */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file);
  });
}

export function DataPage() {
  const { t, i18n } = useTranslation();
  const stats = useQuery({ queryKey: ["stats"], queryFn: () => tms().stats() });
  const number = (n: number) => formatNumber(n, i18n.language);
  return (
    <section className="page" aria-label={t("Stats and data")}>
      <h1>{t("Stats and data")}</h1>
      <section aria-labelledby="glance" className="panel">
        <h2 id="glance">{t("At a glance")}</h2>
        <ErrorNote error={stats.error} />
        {stats.isPending && <Loading what={t("the stats")} />}
        {stats.data && (
          <dl className="stats">
            <div>
              <dt>{t("Tasks")}</dt>
              <dd>{number(stats.data.total)}</dd>
            </div>
            <div>
              <dt>{t("Due today")}</dt>
              <dd>{number(stats.data.due_today)}</dd>
            </div>
            <div className={stats.data.overdue > 0 ? "overdue" : undefined}>
              <dt>{t("Overdue")}</dt>
              <dd>{number(stats.data.overdue)}</dd>
            </div>
            <div>
              <dt>{t("Done in the last 7 days")}</dt>
              <dd>{number(stats.data.completed_last_7_days)}</dd>
            </div>
            {STATUSES.map((status) => (
              <div key={status}>
                <dt>{t(STATUS_NAMES[status])}</dt>
                <dd>{number(stats.data.by_status[status] ?? 0)}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      <ExportSection />
      <ImportSection />
    </section>
  );
}

function ExportSection() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function exportAll() {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      let part = await tms().exportPart();
      let count = 1;
      const name = (n: number, last: boolean) => `tms-export-${part.export ?? "tasks"}${n === 1 && last ? "" : `-part${n}`}.json`;
      download(name(1, !part.next), part);
      while (part.next) {
        part = await tms().exportPart(part.next);
        count += 1;
        download(name(count, false), part);
      }
      setDone(t("Downloaded {{count}} files.", { count }));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section aria-labelledby="export" className="panel">
      <h2 id="export">{t("Export")}</h2>
      <p className="muted">
        {t("Your Inbox and the projects you own, with labels, sub-tasks and dates, as JSON. Large accounts get several files.")}
      </p>
      <button type="button" onClick={exportAll} disabled={busy}>
        {t("Download my tasks")}
      </button>
      <ErrorNote error={error} />
      <p role="status">{done}</p>
    </section>
  );
}

function ImportSection() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [result, setResult] = useState<ImportResult[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);
  async function chosen(event: ChangeEvent<HTMLInputElement>) {
    const files = Array.from(event.target.files ?? []);
    setResult(null);
    setError(null);
    setProblem(null);
    const done: ImportResult[] = [];
    for (const file of files) {
      let part: ImportRequest;
      try {
        part = JSON.parse(await readText(file)) as ImportRequest;
      } catch {
        setProblem(t("“{{name}}” is not a TMS export file (JSON).", { name: file.name }));
        break;
      }
      try {
        done.push(await tms().importPart(part));
      } catch (caught) {
        setError(caught);
        break;
      }
    }
    event.target.value = "";
    if (done.length) {
      setResult(done);
      void queryClient.invalidateQueries({ queryKey: keys.all });
      void queryClient.invalidateQueries({ queryKey: keys.projects });
      void queryClient.invalidateQueries({ queryKey: keys.labels });
    }
  }
  const sum = (key: keyof ImportResult) => (result ?? []).reduce((total, r) => total + r[key], 0);
  return (
    <section aria-labelledby="import" className="panel">
      <h2 id="import">{t("Import")}</h2>
      <p className="muted">{t("Bring in a TMS export: choose all its files at once, in order. Each file is imported once.")}</p>
      <label className="field">
        {t("Export files")}
        <input type="file" accept=".json,application/json" multiple onChange={chosen} />
      </label>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      <ErrorNote error={error} />
      <p role="status">
        {result &&
          [
            t("Imported {{count}} tasks.", { count: sum("imported") }),
            t("{{count}} new labels.", { count: sum("labels_created") }),
            t("{{count}} new projects.", { count: sum("projects_created") }),
          ].join(" ")}
      </p>
    </section>
  );
}
