// Search, sort, status and priority for a list, kept in the URL's query (a reload or a shared link keeps them).
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router";
import { PRIORITIES, PRIORITY_NAMES, STATUSES, STATUS_NAMES } from "../../api/types";
import { filtersFrom, withFilters, type Filters } from "../../app/places";
import { translatable } from "../../i18n";

const SORTS: [Filters["sort"], string][] = [
  ["position", translatable("Manual order")],
  ["due_date", translatable("Due date")],
  ["-priority", translatable("Priority (highest first)")],
  ["-created_at", translatable("Newest")],
  ["-updated_at", translatable("Recently changed")],
  ["title", translatable("Title")],
];

export function FilterBar(props: { defaultSort: Filters["sort"] }) {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const filters = filtersFrom(location.search, props.defaultSort);
  const [q, setQ] = useState(filters.q);

  const apply = (next: Filters) =>
    navigate({ pathname: location.pathname, search: withFilters(location.search, next, props.defaultSort) }, { replace: true });

  // Typing waits a moment before it changes the URL (and asks the server).
  useEffect(() => {
    if (q === filters.q) return;
    const timer = setTimeout(() => apply({ ...filters, q }), 250);
    return () => clearTimeout(timer);
  });

  const toggle = <K extends "status" | "priority">(key: K, value: Filters[K][number]) => {
    const current = filters[key] as string[];
    const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
    apply({ ...filters, [key]: next });
  };

  return (
    <div className="filters" role="search">
      <label className="search">
        <span className="visually-hidden">{t("Search")}</span>
        <input id="search" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t("Search tasks")} maxLength={200} />
      </label>
      <label className="inline">
        {t("Sort")}{" "}
        <select value={filters.sort} onChange={(e) => apply({ ...filters, sort: e.target.value as Filters["sort"] })}>
          {SORTS.map(([value, name]) => (
            <option key={value} value={value}>
              {t(name)}
            </option>
          ))}
        </select>
      </label>
      <div className="chips" role="group" aria-label={t("Status")}>
        {STATUSES.map((s) => (
          <button key={s} type="button" className="chip" aria-pressed={filters.status.includes(s)} onClick={() => toggle("status", s)}>
            {t(STATUS_NAMES[s])}
          </button>
        ))}
      </div>
      <div className="chips" role="group" aria-label={t("Priority")}>
        {PRIORITIES.filter((p) => p !== "none").map((p) => (
          <button key={p} type="button" className="chip" aria-pressed={filters.priority.includes(p)} onClick={() => toggle("priority", p)}>
            {t(PRIORITY_NAMES[p])}
          </button>
        ))}
      </div>
    </div>
  );
}
