import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { makeTask } from "../../test-support";
import { renderInApp } from "../../test-app";
import { TaskRow } from "./TaskRow";

const label = { id: 3, name: "home", colour: "#ff0000", created_at: "", task_count: 1 } as never;
const task = makeTask({
  id: 7,
  title: "Pay rent",
  due_date: "2026-11-20",
  labels: [label],
  subtask_count: 5,
  subtasks_done: 2,
  priority: "high",
});

describe("a task row", () => {
  it("puts the checkbox first, shows an overdue day in red words, the priority, labels and sub-task progress", async () => {
    const onToggleDone = vi.fn();
    renderInApp(<TaskRow task={task} today="2026-11-27" canEdit onToggleDone={onToggleDone} actions={[]} />);
    const row = screen.getByRole("article", { name: "Pay rent" });
    expect(row.firstElementChild).toHaveAccessibleName("Complete Pay rent");
    expect(screen.getByText("Overdue:").parentElement).toHaveClass("due", "overdue");
    expect(screen.getByText("High")).toBeInTheDocument();
    expect(screen.getByText("home")).toBeInTheDocument();
    expect(screen.getByText("2/5")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Pay rent" })).toHaveAttribute("href", "/tasks/7");
    await userEvent.click(screen.getByRole("checkbox", { name: "Complete Pay rent" }));
    expect(onToggleDone).toHaveBeenCalledWith(task);
  });

  it("says Tomorrow for tomorrow, and nothing about sub-tasks for a task without any", () => {
    renderInApp(
      <TaskRow
        task={makeTask({ title: "Alone", due_date: "2026-11-28" })}
        today="2026-11-27"
        canEdit
        onToggleDone={vi.fn()}
        actions={[]}
      />,
    );
    expect(screen.getByText("Tomorrow")).toBeInTheDocument();
    expect(screen.queryByText(/\d\/\d/)).not.toBeInTheDocument();
  });

  it("gives a viewer no checkbox and a menu that only opens the task", async () => {
    const onOpen = vi.fn();
    renderInApp(
      <TaskRow task={task} today="2026-11-27" canEdit={false} onToggleDone={vi.fn()} actions={[{ label: "Open", onSelect: onOpen }]} />,
    );
    expect(screen.queryByRole("checkbox")).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Actions for Pay rent" }));
    expect((await screen.findAllByRole("menuitem")).map((item) => item.textContent)).toEqual(["Open"]);
    await userEvent.click(screen.getByRole("menuitem", { name: "Open" }));
    expect(onOpen).toHaveBeenCalled();
  });
});
