import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Task } from "../api/types";
import { ADA, BOB, makeComment, makeTask, ME, page, respond, stubRoutes } from "../test-support";
import { CommentThread } from "./CommentThread";
import { SubtaskList } from "./SubtaskList";

afterEach(() => vi.unstubAllGlobals());

const parent = makeTask({ id: 1, title: "Plan the garden", project: 10, subtask_count: 5, subtasks_done: 2 });
const COMMENTS = "/api/tasks/1/comments/";

function subtask(id: number, title: string, done = false): Task {
  return makeTask({ id, title, project: 10, parent: 1, status: done ? "done" : "todo" });
}

describe("sub-tasks", () => {
  it("lists the sub-tasks, ticks one done and adds one", async () => {
    let list = [subtask(2, "Dig", true), subtask(3, "Sow")];
    const api = stubRoutes({
      "GET /api/tasks/": () => respond(200, page(list)),
      "POST /api/tasks/3/complete/": () => {
        list = [list[0], { ...list[1], status: "done" }];
        return respond(200, list[1]);
      },
      "POST /api/tasks/": (body) => {
        list = [...list, subtask(4, (body as { title: string }).title)];
        return respond(201, list[2]);
      },
    });
    const onChanged = vi.fn();
    render(<SubtaskList task={parent} canWrite onOpen={vi.fn()} onChanged={onChanged} />);
    const section = screen.getByRole("region", { name: "Sub-tasks" });
    await screen.findByRole("button", { name: "Sow" });
    expect(api.calls("GET", "/api/tasks/")[0].url).toContain("parent=1");
    expect(within(section).getByRole("heading")).toHaveTextContent("1/2");

    await userEvent.click(screen.getByRole("checkbox", { name: "Complete Sow" }));
    expect(await screen.findByRole("checkbox", { name: "Reopen Sow" })).toBeChecked();
    expect(within(section).getByRole("heading")).toHaveTextContent("2/2");

    await userEvent.type(screen.getByLabelText("New sub-task"), "Water");
    await userEvent.click(screen.getByRole("button", { name: "Add sub-task" }));
    expect(api.calls("POST", "/api/tasks/")[0].body).toEqual({ title: "Water", parent: 1 });
    expect(await screen.findByRole("button", { name: "Water" })).toBeInTheDocument();
    expect(within(section).getByRole("heading")).toHaveTextContent("2/3");
    expect(screen.getByLabelText("New sub-task")).toHaveValue("");
    expect(onChanged).toHaveBeenCalledTimes(2);
  });
});

describe("comments", () => {
  it("renders a comment's body as text: markup is shown, never run", async () => {
    const body = '<script>alert("x")</script>\n<b>bold?</b>\nsecond line';
    stubRoutes({ [`GET ${COMMENTS}`]: respond(200, page([makeComment({ body, author: BOB, edited: true })])) });
    const { container } = render(<CommentThread task={parent} me={ME} myRole="editor" />);
    const comment = await screen.findByRole("listitem", { name: "Comment by bob" });
    const text = within(comment).getByText(/alert/);
    expect(text.textContent).toBe(body);
    expect(text).toHaveClass("comment-body");
    expect(container.querySelector("script")).toBeNull();
    expect(container.querySelector("b")).toBeNull();
    expect(within(comment).getByText("(edited)")).toBeInTheDocument();
  });

  it("adds a comment, edits and deletes your own, and leaves others' alone", async () => {
    let list = [makeComment({ id: 1, author: BOB, body: "From Bob" }), makeComment({ id: 2, author: ADA, body: "Mine" })];
    const api = stubRoutes({
      [`GET ${COMMENTS}`]: () => respond(200, page(list)),
      [`POST ${COMMENTS}`]: (body) => {
        list = [...list, makeComment({ id: 3, body: (body as { body: string }).body })];
        return respond(201, list[2]);
      },
      [`PATCH ${COMMENTS}2/`]: (body) => {
        list = [list[0], { ...list[1], body: (body as { body: string }).body, edited: true }, list[2]];
        return respond(200, list[1]);
      },
      [`DELETE ${COMMENTS}2/`]: () => {
        list = [list[0], list[2]];
        return respond(204);
      },
    });
    render(<CommentThread task={parent} me={ME} myRole="editor" />);
    const bobs = await screen.findByRole("listitem", { name: "Comment by bob" });
    expect(within(bobs).queryByRole("button")).not.toBeInTheDocument();

    await userEvent.type(screen.getByLabelText("Comment"), "Line one{Enter}line two");
    await userEvent.click(screen.getByRole("button", { name: "Add comment" }));
    expect(api.calls("POST", COMMENTS)[0].body).toEqual({ body: "Line one\nline two" });
    expect(await screen.findByText(/Line one/)).toHaveTextContent("Line one line two");

    const mine = screen.getAllByRole("listitem", { name: "Comment by Ada" })[0];
    await userEvent.click(within(mine).getByRole("button", { name: "Edit comment" }));
    const box = within(mine).getByRole("textbox", { name: "Comment" });
    await userEvent.clear(box);
    await userEvent.type(box, "Mine, better");
    await userEvent.click(within(mine).getByRole("button", { name: "Save comment" }));
    expect(api.calls("PATCH", `${COMMENTS}2/`)[0].body).toEqual({ body: "Mine, better" });
    expect(await screen.findByText("Mine, better")).toBeInTheDocument();
    expect(within(screen.getAllByRole("listitem", { name: "Comment by Ada" })[0]).getByText("(edited)")).toBeInTheDocument();

    await userEvent.click(
      within(screen.getAllByRole("listitem", { name: "Comment by Ada" })[0]).getByRole("button", { name: "Delete comment" }),
    );
    expect(api.calls("DELETE", `${COMMENTS}2/`)).toHaveLength(1);
    await screen.findByText("From Bob");
    expect(screen.queryByText("Mine, better")).not.toBeInTheDocument();
  });

  it("lets an admin delete anyone's comment, but edit only their own", async () => {
    stubRoutes({ [`GET ${COMMENTS}`]: respond(200, page([makeComment({ author: BOB, body: "Spam" })])) });
    render(<CommentThread task={parent} me={ME} myRole="admin" />);
    const bobs = await screen.findByRole("listitem", { name: "Comment by bob" });
    expect(within(bobs).getByRole("button", { name: "Delete comment" })).toBeInTheDocument();
    expect(within(bobs).queryByRole("button", { name: "Edit comment" })).not.toBeInTheDocument();
  });

  it("says so when the task is gone or no longer shared", async () => {
    stubRoutes({
      [`GET ${COMMENTS}`]: respond(200, page([])),
      [`POST ${COMMENTS}`]: respond(404, { error: { status: 404, code: "not_found", message: "Not found.", request_id: "r" } }),
    });
    render(<CommentThread task={parent} me={ME} myRole="editor" />);
    await screen.findByText("No comments yet.");
    await userEvent.type(screen.getByLabelText("Comment"), "Anyone?");
    await userEvent.click(screen.getByRole("button", { name: "Add comment" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This task no longer exists, or you no longer have access to it.");
  });
});
