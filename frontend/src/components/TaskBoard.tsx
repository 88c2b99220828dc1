import { useCallback, useEffect, useState, type DragEvent } from "react";
import { tms, type ListQuery } from "../api/tms";
import { STATUSES, STATUS_NAMES, type Project, type Status, type Task } from "../api/types";
import { canWrite, roleFor } from "./access";
import { ErrorNote, GONE_PROJECT, Loading, useAction } from "./common";
import { cardActions, TaskCard } from "./TaskCard";
import { projectName } from "./TaskList";

const MAX_PAGES = 10;

/** A column per status; drag and drop, or the keyboard buttons on each card (not for a viewer's cards). */
export function TaskBoard(props: {
  /** The sidebar's choice (Inbox, a project, assigned to me) as list filters. */
  scope?: ListQuery;
  projects?: Project[];
  today: string;
  version: number;
  onEdit: (task: Task) => void;
  onHistory: (task: Task) => void;
  onChanged: () => void;
}) {
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [error, act, setError] = useAction(props.onChanged);
  const [dragged, setDragged] = useState<Task | null>(null);
  const { scope } = props;
  const projects = props.projects ?? [];

  const load = useCallback(async () => {
    setError(null);
    try {
      let page = await tms().tasks({ ...scope, ordering: "position", page_size: 100 });
      const all = [...page.results];
      for (let n = 1; page.next && n < MAX_PAGES; n += 1) {
        page = await tms().page(page.next);
        all.push(...page.results);
      }
      setTasks(all);
    } catch (caught) {
      setTasks(null);
      setError(caught);
    }
  }, [scope, setError]);

  useEffect(() => {
    // Loading the board from the API is what this effect synchronises; load() clears the last error first.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load();
  }, [load, props.version]);

  const column = (status: Status) => (tasks ?? []).filter((t) => t.status === status);

  function moveTo(task: Task, status: Status, index: number) {
    const others = column(status).filter((t) => t.id !== task.id);
    const above = others[index - 1];
    const below = others[index];
    return act(() => tms().move(task, { status, after_id: above?.id, before_id: below?.id }));
  }

  function onDrop(event: DragEvent, status: Status, index: number) {
    event.preventDefault();
    if (dragged) void moveTo(dragged, status, index);
    setDragged(null);
  }

  if (!tasks && !error) return <Loading what="the board" />;
  return (
    <>
      {/* Outside the board's grid: a notice is not a column. */}
      <ErrorNote error={error} notFound={GONE_PROJECT} />
      <section aria-label="Board" className="board">
        {STATUSES.map((status, columnIndex) => {
          const cards = column(status);
          return (
            <div
              key={status}
              className="column"
              aria-label={STATUS_NAMES[status]}
              data-status={status}
              onDragOver={(e) => e.preventDefault()}
              onDrop={(e) => onDrop(e, status, cards.length)}
            >
              <h2>
                {STATUS_NAMES[status]} <span className="count">{cards.length}</span>
              </h2>
              {cards.length === 0 && <p className="empty">Nothing here.</p>}
              {cards.map((task, index) => {
                const canEdit = canWrite(roleFor(task, projects));
                return (
                  <div
                    key={task.id}
                    draggable={canEdit}
                    onDragStart={() => setDragged(task)}
                    onDrop={(e) => {
                      e.stopPropagation();
                      onDrop(e, status, index);
                    }}
                    onDragOver={(e) => e.preventDefault()}
                    data-task-id={task.id}
                  >
                    <TaskCard
                      task={task}
                      today={props.today}
                      canEdit={canEdit}
                      projectName={scope?.project ? undefined : projectName(task, projects)}
                      {...cardActions(act)}
                      onEdit={props.onEdit}
                      onHistory={props.onHistory}
                    >
                      <span className="movers" role="group" aria-label={`Move ${task.title}`}>
                        <button
                          type="button"
                          className="small"
                          aria-label={`Move ${task.title} up`}
                          disabled={index === 0}
                          onClick={() => moveTo(task, status, index - 1)}
                        >
                          ↑
                        </button>
                        <button
                          type="button"
                          className="small"
                          aria-label={`Move ${task.title} down`}
                          disabled={index === cards.length - 1}
                          onClick={() => moveTo(task, status, index + 1)}
                        >
                          ↓
                        </button>
                        <button
                          type="button"
                          className="small"
                          aria-label={`Move ${task.title} to ${STATUS_NAMES[STATUSES[columnIndex - 1]] ?? ""}`}
                          disabled={columnIndex === 0}
                          onClick={() => moveTo(task, STATUSES[columnIndex - 1], column(STATUSES[columnIndex - 1]).length)}
                        >
                          ←
                        </button>
                        <button
                          type="button"
                          className="small"
                          aria-label={`Move ${task.title} to ${STATUS_NAMES[STATUSES[columnIndex + 1]] ?? ""}`}
                          disabled={columnIndex === STATUSES.length - 1}
                          onClick={() => moveTo(task, STATUSES[columnIndex + 1], column(STATUSES[columnIndex + 1]).length)}
                        >
                          →
                        </button>
                      </span>
                    </TaskCard>
                  </div>
                );
              })}
            </div>
          );
        })}
      </section>
    </>
  );
}
