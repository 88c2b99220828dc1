import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import type { Task } from "../api/types";
import { makeTask, ME } from "../test-support";
import { dueState, todayIn } from "./common";
import { TaskEditor } from "./TaskEditor";

const task: Task = makeTask({
  title: "Pay rent",
  priority: "high",
  due_date: "2026-11-20",
  labels: [{ id: 3, name: "home", colour: "#00ff00" }],
});

describe("due dates", () => {
  it("computes today in the user's time zone", () => {
    const instant = new Date("2026-11-27T23:30:00Z");
    expect(todayIn("UTC", instant)).toBe("2026-11-27");
    expect(todayIn("Asia/Tokyo", instant)).toBe("2026-11-28");
    expect(todayIn("Not/AZone", instant)).toBe("2026-11-27");
  });

  it("classifies due dates", () => {
    expect(dueState("2026-11-20", false, "2026-11-27")).toBe("overdue");
    expect(dueState("2026-11-27", false, "2026-11-27")).toBe("today");
    expect(dueState("2026-11-20", true, "2026-11-27")).toBe("later");
    expect(dueState(null, false, "2026-11-27")).toBe("none");
  });
});

describe("TaskEditor", () => {
  it("sends what was typed", async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    render(<TaskEditor labels={[{ id: 3, name: "home", colour: "#00ff00" }]} me={ME} onSave={onSave} onCancel={vi.fn()} />);
    await userEvent.type(screen.getByLabelText("Title"), "Buy milk");
    await userEvent.selectOptions(screen.getByLabelText("Priority"), "urgent");
    await userEvent.click(screen.getByRole("checkbox", { name: /home/ }));
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(onSave.mock.calls[0][0]).toEqual({
      title: "Buy milk",
      description: "",
      status: "todo",
      priority: "urgent",
      due_date: null,
      labels: [3],
      assignees: [],
      project: null,
    });
  });

  it("keeps the first 200 characters of a longer title and says the rest was cut", async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    render(<TaskEditor labels={[]} me={ME} onSave={onSave} onCancel={vi.fn()} />);
    const title = screen.getByLabelText("Title");
    expect(screen.getByRole("status")).toBeEmptyDOMElement();
    await userEvent.click(title);
    await userEvent.paste("x".repeat(10000));
    expect(title).toHaveValue("x".repeat(200));
    const note = screen.getByRole("status");
    expect(note).toHaveTextContent("Titles are at most 200 characters; the rest was cut.");
    expect(title).toHaveAccessibleDescription("Titles are at most 200 characters; the rest was cut.");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(onSave.mock.calls[0][0].title).toHaveLength(200);
    await userEvent.clear(title);
    await userEvent.type(title, "Short");
    expect(note).toBeEmptyDOMElement();
  });

  it("shows the API's message next to the field that caused it", async () => {
    const error = new ApiError(400, "invalid", "Some fields are invalid.", {
      title: ["Ensure this field has no more than 200 characters."],
    });
    render(<TaskEditor task={task} labels={[]} me={ME} onSave={vi.fn().mockRejectedValue(error)} onCancel={vi.fn()} />);
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    const message = await screen.findByText("Ensure this field has no more than 200 characters.");
    expect(message).toHaveAttribute("id", "title-error");
    expect(screen.getByText("Some fields are invalid.")).toHaveAttribute("role", "alert");
  });
});
