// The calendar (/calendar?view=month|week&date=YYYY-MM-DD): the tasks due in a month or a week, each on its day, with
// its time in the person's time zone. A task moves to another day by drag and drop (mouse; press and hold on a
// phone) or from its menu (Move to date…, the keyboard's way); the move shows at once and is put back if refused.
import { DndContext, MouseSensor, TouchSensor, useDraggable, useDroppable, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { CSS } from "@dnd-kit/utilities";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useSearchParams } from "react-router";
import { keys } from "../../app/queries";
import { useWorkspace } from "../../app/workspace";
import { canWrite, roleFor } from "../../components/access";
import { ErrorNote, Loading } from "../../components/common";
import { localeOf } from "../../lib/locale";
import { TaskMenu } from "../tasks/TaskMenu";
import "./calendar.css";
import { MoveDialog } from "./MoveDialog";
import { dayDate, parseDate, step, visibleDays, type CalendarView } from "./range";
import { byTime, tasksDue, type CalendarTask } from "./tasks";
import { useMoveToDate } from "./useMoveToDate";

const dayId = (day: string) => `day-${day}`;

/**
 * The click that ends a drag is no click. dnd-kit stops its propagation (so React never sees it), but a task's title is
 * a link, and the browser would still follow it, reloading the whole app: the default is prevented here, first of all.
 */
function swallowClick() {
  const prevent = (event: MouseEvent) => event.preventDefault();
  window.addEventListener("click", prevent, { capture: true, once: true });
  setTimeout(() => window.removeEventListener("click", prevent, { capture: true }), 100);
}

/** The calendar's address for a view and a date. */
export const calendarPath = (view: CalendarView, date: string) => `/calendar?view=${view}&date=${date}`;

export function CalendarPage() {
  const { t, i18n } = useTranslation();
  const { today, projects, user } = useWorkspace();
  const [params] = useSearchParams();
  const view: CalendarView = params.get("view") === "week" ? "week" : "month";
  const date = parseDate(params.get("date")) ?? today;
  const days = visibleDays(view, date);
  const from = days[0];
  const to = days[days.length - 1];
  // Going to another month or week keeps the tasks on screen until the new range is in (no flash of "Loading").
  const query = useQuery({ queryKey: keys.calendar(from, to), queryFn: () => tasksDue(from, to), placeholderData: keepPreviousData });
  const move = useMoveToDate(keys.calendar(from, to));
  const [moving, setMoving] = useState<CalendarTask | null>(null);
  // A task moved from its menu keeps the keyboard focus: once drawn on its new day (a new element), its ⋯ button takes
  // it, after the dialog has given the focus back to where it was opened from (the old, removed button).
  const refocus = useRef<{ id: number; day: string } | null>(null);
  const [refused, setRefused] = useState(0);
  useEffect(() => {
    const wanted = refocus.current;
    if (wanted === null) return;
    const timer = setTimeout(() => {
      const button = document.querySelector<HTMLElement>(`[data-day="${wanted.day}"] [data-task-id="${wanted.id}"] .menu-trigger`);
      if (button) {
        button.focus();
        refocus.current = null;
      }
    }, 0);
    return () => clearTimeout(timer);
  }, [query.data, moving, refused]);
  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 5 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 200, tolerance: 8 } }),
  );
  const locale = localeOf(i18n.language);
  const tasks = query.data ?? [];
  const onDay = (day: string) => tasks.filter((task) => task.due_date === day).sort(byTime);

  function dropped(event: DragEndEvent) {
    swallowClick();
    const task = tasks.find((candidate) => candidate.id === event.active.id);
    const over = typeof event.over?.id === "string" ? event.over.id : null;
    if (!task || !over?.startsWith("day-")) return;
    const day = over.slice(4);
    if (day !== task.due_date) void move(task, day);
  }

  const monthTitle = new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" }).format(dayDate(date));
  const weekTitle = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).formatRange(
    dayDate(from),
    dayDate(to),
  );
  const title = view === "month" ? monthTitle : weekTitle;
  const weekdays = days
    .slice(0, 7)
    .map((day) => new Intl.DateTimeFormat(locale, { weekday: "short", timeZone: "UTC" }).format(dayDate(day)));
  const previous = view === "month" ? t("Previous month") : t("Previous week");
  const next = view === "month" ? t("Next month") : t("Next week");

  return (
    <section className="page calendar-page" aria-labelledby="calendar-title">
      <div className="page-head">
        <h1 id="calendar-title">{t("Calendar")}</h1>
        <div className="view-switch" role="group" aria-label={t("Calendar view")}>
          {(["month", "week"] as const).map((choice) => (
            <Link
              key={choice}
              to={calendarPath(choice, date)}
              className={view === choice ? "switch current" : "switch"}
              aria-current={view === choice ? "page" : undefined}
            >
              {choice === "month" ? t("Month") : t("Week")}
            </Link>
          ))}
        </div>
      </div>
      <div className="calendar-nav">
        <Link className="button-link" to={calendarPath(view, step(view, date, -1))} aria-label={previous} title={previous}>
          <span aria-hidden="true">‹</span>
        </Link>
        <Link className="button-link" to={calendarPath(view, today)}>
          {t("Today")}
        </Link>
        <Link className="button-link" to={calendarPath(view, step(view, date, 1))} aria-label={next} title={next}>
          <span aria-hidden="true">›</span>
        </Link>
        <h2 className="calendar-title" aria-live="polite">
          {title}
        </h2>
      </div>
      <ErrorNote error={query.error} />
      {query.isSuccess && tasks.length === 0 && <p className="empty calendar-empty">{t("Nothing is due in these days.")}</p>}
      {query.isPending ? (
        <Loading what={t("the calendar")} />
      ) : (
        <DndContext sensors={sensors} onDragEnd={dropped} onDragCancel={swallowClick}>
          <div className={`calendar ${view}`}>
            <div className="weekdays" aria-hidden="true">
              {weekdays.map((name) => (
                <span key={name}>{name}</span>
              ))}
            </div>
            <ol className="calendar-days">
              {days.map((day) => (
                <Day key={day} day={day} today={today} outside={view === "month" && day.slice(0, 7) !== date.slice(0, 7)} locale={locale}>
                  {onDay(day).map((task) => {
                    const canEdit = canWrite(roleFor(task, projects)) && !("pending" in task && task.pending === true);
                    return (
                      <CalendarItem
                        key={task.id}
                        task={task}
                        canEdit={canEdit}
                        timeZone={user.time_zone}
                        locale={locale}
                        onMove={() => setMoving(task)}
                      />
                    );
                  })}
                </Day>
              ))}
            </ol>
          </div>
        </DndContext>
      )}
      {moving && (
        <MoveDialog
          task={moving}
          onClose={() => setMoving(null)}
          onMove={(day) => {
            const task = moving;
            setMoving(null);
            if (day === task.due_date || !task.due_date) return;
            const from = task.due_date;
            refocus.current = { id: task.id, day };
            void move(task, day).then((moved) => {
              // refused: the task is back on its day, and so is the focus
              if (moved) return;
              refocus.current = { id: task.id, day: from };
              setRefused((count) => count + 1);
            });
          }}
        />
      )}
    </section>
  );
}

function Day(props: { day: string; today: string; outside: boolean; locale: string; children: ReactNode[] }) {
  const { t } = useTranslation();
  const { setNodeRef, isOver } = useDroppable({ id: dayId(props.day) });
  const isToday = props.day === props.today;
  const date = dayDate(props.day);
  const full = new Intl.DateTimeFormat(props.locale, {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(date);
  const short = new Intl.DateTimeFormat(props.locale, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).format(date);
  const classes = ["day", isToday && "today", props.outside && "outside", isOver && "over", props.children.length === 0 && "free"];
  return (
    <li ref={setNodeRef} className={classes.filter(Boolean).join(" ")} data-day={props.day} aria-current={isToday ? "date" : undefined}>
      <h3 className="day-head">
        <time dateTime={props.day}>
          <span className="day-number" aria-hidden="true">
            {date.getUTCDate()}
          </span>
          <span className="day-short" aria-hidden="true">
            {short}
          </span>
          <span className="visually-hidden">{isToday ? `${full}, ${t("today")}` : full}</span>
        </time>
      </h3>
      {props.children.length > 0 && <ul className="plain day-tasks">{props.children}</ul>}
    </li>
  );
}

/** "09:30" or "9:30 am" for the person's language, in their time zone. */
function timeOf(task: CalendarTask, locale: string, timeZone: string): string | null {
  if (!task.due_at) return null;
  const options: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit" };
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(new Date(task.due_at));
  } catch {
    return new Intl.DateTimeFormat(locale, options).format(new Date(task.due_at));
  }
}

function CalendarItem(props: { task: CalendarTask; canEdit: boolean; timeZone: string; locale: string; onMove: () => void }) {
  const { t } = useTranslation();
  const location = useLocation();
  const { task } = props;
  const { setNodeRef, listeners, transform, isDragging } = useDraggable({ id: task.id, disabled: !props.canEdit });
  const time = timeOf(task, props.locale, props.timeZone);
  const repeats = task.recurrence_text || task.recurrence || null;
  const classes = ["cal-task", task.status === "done" && "done", isDragging && "dragging", `priority-${task.priority}`];
  return (
    <li
      ref={setNodeRef}
      className={classes.filter(Boolean).join(" ")}
      style={{ transform: CSS.Translate.toString(transform) }}
      data-task-id={task.id}
      {...(props.canEdit ? listeners : {})}
    >
      {/* not the browser's own drag of a link: the item is dragged by dnd-kit */}
      <Link className="cal-task-title" to={`/tasks/${task.id}`} state={{ background: location }} draggable={false} title={task.title}>
        {time && <time dateTime={task.due_at ?? undefined}>{time} </time>}
        {task.title}
        {task.status === "done" && <span className="visually-hidden"> ({t("Done")})</span>}
      </Link>
      {repeats && (
        <span className="repeats" title={t("Repeats: {{rule}}", { rule: repeats })}>
          <span aria-hidden="true">↻</span>
          <span className="visually-hidden">{t("Repeats: {{rule}}", { rule: repeats })}</span>
        </span>
      )}
      <TaskMenu task={task} actions={props.canEdit ? [{ label: t("Move to date…"), onSelect: props.onMove }] : []} />
    </li>
  );
}
