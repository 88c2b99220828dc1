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

  it("shows the due time in the person's time zone and is overdue once it has passed, not only from the next day", () => {
    const timed = makeTask({
      title: "Call the bank",
      due_date: "2026-11-27",
      ...({ due_time: "09:30", due_at: "2026-11-27T08:30:00Z" } as object),
    });
    const { unmount } = renderInApp(
      <TaskRow
        task={timed}
        today="2026-11-27"
        canEdit
        onToggleDone={vi.fn()}
        actions={[]}
        timeZone="Europe/Berlin"
        now={new Date("2026-11-27T08:00:00Z")}
      />,
    );
    expect(screen.getByText("Due:").parentElement).toHaveTextContent("Today 9:30");
    expect(screen.getByText("Due:").parentElement).toHaveClass("due", "today");
    unmount();
    renderInApp(
      <TaskRow
        task={timed}
        today="2026-11-27"
        canEdit
        onToggleDone={vi.fn()}
        actions={[]}
        timeZone="Europe/Berlin"
        now={new Date("2026-11-27T09:00:00Z")}
      />,
    );
    expect(screen.getByText("Overdue:").parentElement).toHaveClass("due", "overdue");
  });

  it("marks a repeating task with the server's words for its rule", () => {
    const repeating = makeTask({
      title: "Pay rent",
      due_date: "2026-12-01",
      ...({ recurrence: "FREQ=MONTHLY;BYMONTHDAY=1", recurrence_text: "every month on the 1st" } as object),
    });
    renderInApp(<TaskRow task={repeating} today="2026-11-27" canEdit onToggleDone={vi.fn()} actions={[]} />);
    expect(screen.getByRole("img", { name: "every month on the 1st" })).toHaveTextContent("↻");
  });

  it("shows no time and no repeat mark for a task without them", () => {
    renderInApp(
      <TaskRow
        task={makeTask({ title: "Plain", due_date: "2026-11-28" })}
        today="2026-11-27"
        canEdit
        onToggleDone={vi.fn()}
        actions={[]}
      />,
    );
    expect(screen.getByText("Due:").parentElement).toHaveTextContent(/^Due: Tomorrow$/);
    expect(screen.queryByRole("img")).not.toBeInTheDocument();
  });

  it("shows the new time of an edit still waiting to be sent", () => {
    const waiting = {
      ...makeTask({ title: "Call", due_date: "2026-11-28" }),
      ...{ due_time: "18:00", due_at: "2026-11-28T08:00:00Z" },
      pending: true,
    } as never;
    renderInApp(<TaskRow task={waiting} today="2026-11-27" canEdit onToggleDone={vi.fn()} actions={[]} timeZone="Europe/Berlin" />);
    expect(screen.getByText("Due:").parentElement).toHaveTextContent("Tomorrow 18:00");
  });
});
