// A column per status. Cards move by drag and drop (mouse; press and hold on a phone) or from their menu (keyboard),
// at once on screen, and the keyboard focus follows the card to its new place.
import {
  closestCorners,
  DndContext,
  MouseSensor,
  TouchSensor,
  useDroppable,
  useSensor,
  useSensors,
  type DragEndEvent,
} from "@dnd-kit/core";
import { SortableContext, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { useEffect, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { STATUSES, STATUS_NAMES, type Status, type Task } from "../../api/types";
import { listQuery, type ListKey } from "../../app/places";
import { keys, queryClient, useBoardTasks } from "../../app/queries";
import { useWorkspace } from "../../app/workspace";
import { canWrite, roleFor } from "../../components/access";
import { ErrorNote, GONE_PROJECT, Loading } from "../../components/common";
import { projectName } from "../tasks/listNames";
import { TaskRow } from "../tasks/TaskRow";
import { useRowActions } from "../tasks/useRowActions";
import { placeAt, placeOf, reordered } from "./placement";

const columnId = (status: Status) => `column-${status}`;

export function Board(props: { list: ListKey }) {
  const { t } = useTranslation();
  const { today, projects } = useWorkspace();
  const query = listQuery(props.list, today);
  const board = useBoardTasks(query);
  const rowActions = useRowActions();
  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 5 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 200, tolerance: 8 } }),
  );
  const tasks = board.data ?? [];
  // A card moved from its menu keeps the keyboard focus: once it is drawn in its new column, its menu button
  // takes the focus (the card in the old column is a different element, removed).
  const refocus = useRef<{ id: number; status: Status } | null>(null);
  useEffect(() => {
    const wanted = refocus.current;
    if (!wanted) return;
    const button = document.querySelector<HTMLElement>(`[data-status="${wanted.status}"] [data-task-id="${wanted.id}"] .menu-trigger`);
    if (button) {
      button.focus();
      refocus.current = null;
    }
  }, [board.data]);
  const column = (status: Status) => tasks.filter((task) => task.status === status);

  function moveTo(task: Task, status: Status, index: number, focus: boolean) {
    const to = placeAt(column(status), task, status, index);
    const from = placeOf(column(task.status), task);
    if (to.status === from.status && to.after_id === from.after_id && to.before_id === from.before_id) return;
    if (focus) refocus.current = { id: task.id, status };
    void rowActions.move(task, to, from, () =>
      queryClient.setQueryData<Task[]>(keys.board(query), (current) => (current ? reordered(current, task, to) : current)),
    );
  }

  function dropped(event: DragEndEvent) {
    const task = tasks.find((candidate) => candidate.id === event.active.id);
    const over = event.over?.id;
    if (!task || over === undefined) return;
    const target = tasks.find((candidate) => candidate.id === over);
    if (target) {
      const cards = column(target.status);
      const index = cards.findIndex((c) => c.id === target.id);
      moveTo(task, target.status, index, false);
    } else {
      const status = STATUSES.find((s) => columnId(s) === over);
      if (status) moveTo(task, status, column(status).length, false);
    }
  }

  function menu(task: Task, canEdit: boolean) {
    if (!canEdit) return rowActions.menu(task, false);
    const cards = column(task.status);
    const index = cards.findIndex((c) => c.id === task.id);
    const moves = STATUSES.filter((s) => s !== task.status).map((status) => ({
      label: t("Move to {{column}}", { column: t(STATUS_NAMES[status]) }),
      onSelect: () => moveTo(task, status, column(status).length, true),
    }));
    return [
      ...rowActions.menu(task, true).slice(0, 2),
      { label: t("Move up"), disabled: index === 0, onSelect: () => moveTo(task, task.status, index - 1, true) },
      { label: t("Move down"), disabled: index === cards.length - 1, onSelect: () => moveTo(task, task.status, index + 1, true) },
      ...moves,
      ...rowActions.menu(task, true).slice(2),
    ];
  }

  if (board.isPending) return <Loading what={t("the board")} />;
  return (
    <>
      <ErrorNote error={board.error} notFound={GONE_PROJECT} />
      <DndContext sensors={sensors} collisionDetection={closestCorners} onDragEnd={dropped}>
        <section aria-label={t("Board")} className="board">
          {STATUSES.map((status) => {
            const cards = column(status);
            return (
              <Column key={status} status={status} count={cards.length}>
                <SortableContext items={cards.map((c) => c.id)} strategy={verticalListSortingStrategy}>
                  {cards.length === 0 && <p className="empty">{t("Nothing here.")}</p>}
                  {cards.map((task) => {
                    const canEdit = canWrite(roleFor(task, projects));
                    return (
                      <Card key={task.id} task={task} draggable={canEdit}>
                        <TaskRow
                          task={task}
                          today={today}
                          canEdit={canEdit}
                          projectName={props.list.kind === "project" ? undefined : projectName(task, projects)}
                          onToggleDone={rowActions.toggleDone}
                          actions={menu(task, canEdit)}
                          // the menu gives the focus back to its button, unless the card is on its way elsewhere
                          onMenuClosed={(event) => refocus.current && event.preventDefault()}
                        />
                      </Card>
                    );
                  })}
                </SortableContext>
              </Column>
            );
          })}
        </section>
      </DndContext>
    </>
  );
}

function Column(props: { status: Status; count: number; children: ReactNode }) {
  const { t } = useTranslation();
  const { setNodeRef, isOver } = useDroppable({ id: columnId(props.status) });
  const name = t(STATUS_NAMES[props.status]);
  return (
    <div ref={setNodeRef} className={isOver ? "column over" : "column"} data-status={props.status} role="group" aria-label={name}>
      <h2>
        {name} <span className="count">{props.count}</span>
      </h2>
      {props.children}
    </div>
  );
}

/** A card that can be dragged: pointer and touch only (the keyboard moves it from its menu). */
function Card(props: { task: Task; draggable: boolean; children: ReactNode }) {
  const { setNodeRef, listeners, transform, transition, isDragging } = useSortable({ id: props.task.id, disabled: !props.draggable });
  return (
    <div
      ref={setNodeRef}
      className={isDragging ? "card dragging" : "card"}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      {...(props.draggable ? listeners : {})}
    >
      {props.children}
    </div>
  );
}
