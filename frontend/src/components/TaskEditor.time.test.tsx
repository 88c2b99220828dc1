// The task editor's due time, repeat and reminders, against the API contract (docs/api.md): what is sent, and what
// of the server's answer is shown.
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Task } from "../api/types";
import { TaskPanel } from "../features/tasks/TaskPanel";
import { renderInApp } from "../test-app";
import { ME, apiError, makeTask, page, respond, stubRoutes } from "../test-support";
import { TaskEditor } from "./TaskEditor";

afterEach(() => vi.unstubAllGlobals());

const timed = (fields: Partial<Task> & Record<string, unknown>) => makeTask(fields as Partial<Task>);

function editor(task?: Task, me = ME) {
  const onSave = vi.fn().mockResolvedValue(undefined);
  render(<TaskEditor task={task} labels={[]} me={me} onSave={onSave} onCancel={vi.fn()} />);
  const sent = () => onSave.mock.calls.at(-1)![0] as Record<string, unknown>;
  return { onSave, sent, save: () => userEvent.click(screen.getByRole("button", { name: "Save" })) };
}

describe("the due time", () => {
  it("is sent with the date, and cleared with it", async () => {
    const { sent, save } = editor(timed({ title: "Call", due_date: "2026-12-04", due_time: "09:30" }));
    const time = screen.getByLabelText("Due time");
    expect(time).toHaveValue("09:30");
    await userEvent.clear(time);
    await userEvent.type(time, "17:45");
    await save();
    expect(sent()).toMatchObject({ due_date: "2026-12-04", due_time: "17:45" });

    await userEvent.clear(screen.getByLabelText("Due date"));
    expect(time).toHaveValue("");
    expect(time).toBeDisabled();
    await save();
    expect(sent()).toMatchObject({ due_date: null, due_time: null });
  });

  it("is not sent when it did not change, so an edit of the title sends no time fields", async () => {
    const { sent, save } = editor(
      timed({
        title: "Rent",
        due_date: "2026-12-01",
        due_time: "09:00",
        recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
        recurrence_text: "every month on the 1st",
        reminders: [{ id: 4, before_minutes: 60, at: null, fire_at: null }],
      }),
    );
    await userEvent.type(screen.getByLabelText("Title"), "!");
    await save();
    expect(sent()).not.toHaveProperty("due_time");
    expect(sent()).not.toHaveProperty("recurrence");
    expect(sent()).not.toHaveProperty("recurrence_basis");
    expect(sent()).not.toHaveProperty("reminders");
    expect(sent().title).toBe("Rent!");
  });
});

describe("the repeat", () => {
  it("offers the presets for the due date and sends the chosen rule and basis", async () => {
    const { sent, save } = editor();
    await userEvent.type(screen.getByLabelText("Title"), "Bins");
    const repeat = screen.getByRole("combobox", { name: "Repeats" });
    expect(repeat).toBeDisabled();
    expect(screen.getByText("A task needs a due date to repeat.")).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Due date"), "2026-12-04"); // a Friday
    expect(
      within(repeat)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toEqual([
      "Does not repeat",
      "Every day",
      "Every weekday (Monday to Friday)",
      "Every week on Friday",
      "Every month on day 4",
      "Every month on the last day",
      "Every year on 4 December",
      "Custom…",
    ]);
    await userEvent.selectOptions(repeat, "Every week on Friday");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "The next date counts" }), "from when I complete it");
    await save();
    expect(sent()).toMatchObject({ due_date: "2026-12-04", recurrence: "FREQ=WEEKLY;BYDAY=FR", recurrence_basis: "completion" });
  });

  it("builds a custom rule: every 2 months on the last day, 3 times", async () => {
    const { sent, save } = editor(timed({ title: "Report", due_date: "2026-12-31" }));
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Repeats" }), "Custom…");
    const custom = screen.getByRole("group", { name: "Custom repeat" });
    const every = within(custom).getByLabelText("Every");
    await userEvent.clear(every);
    await userEvent.type(every, "2");
    await userEvent.selectOptions(within(custom).getByLabelText("Unit"), "months");
    await userEvent.selectOptions(within(custom).getByLabelText("On day"), "the last day");
    await userEvent.click(within(custom).getByRole("radio", { name: "After a number of times" }));
    const times = within(custom).getByRole("spinbutton", { name: "Times" });
    await userEvent.clear(times);
    await userEvent.type(times, "3");
    await save();
    expect(sent().recurrence).toBe("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-1;COUNT=3");
  });

  it("builds weekly rules on chosen days until a date", async () => {
    const { sent, save } = editor(timed({ title: "Swim", due_date: "2026-12-07" }));
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Repeats" }), "Custom…");
    const custom = screen.getByRole("group", { name: "Custom repeat" });
    expect(within(custom).getByRole("checkbox", { name: "Monday" })).toBeChecked(); // the due date's weekday
    await userEvent.click(within(custom).getByRole("checkbox", { name: "Thursday" }));
    await userEvent.click(within(custom).getByRole("radio", { name: "On a date" }));
    const last = within(custom).getByLabelText("Last date");
    await userEvent.clear(last);
    await userEvent.type(last, "2027-03-31");
    await save();
    expect(sent().recurrence).toBe("FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270331");
  });

  it("shows the server's words for the saved rule, and a rule it cannot show part by part is kept", async () => {
    const { sent, save } = editor(
      timed({
        title: "Pay",
        due_date: "2026-12-25",
        recurrence: "FREQ=MONTHLY;BYDAY=-1FR",
        recurrence_text: "every month on the last Friday",
      }),
    );
    expect(screen.getByRole("combobox", { name: "Repeats" })).toHaveValue("custom");
    expect(screen.getByText("every month on the last Friday")).toBeInTheDocument();
    expect(screen.getByText("This rule was set elsewhere; changing a part below replaces it.")).toBeInTheDocument();
    await save();
    expect(sent()).not.toHaveProperty("recurrence");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Repeats" }), "Does not repeat");
    expect(screen.queryByText("every month on the last Friday")).not.toBeInTheDocument();
    await save();
    expect(sent().recurrence).toBe("");
  });
});

describe("reminders", () => {
  it("sends up to five, before the due time or at a moment in the person's time zone", async () => {
    const { sent, save } = editor(timed({ title: "Flight", due_date: "2026-12-07", due_time: "09:00" }), {
      ...ME,
      time_zone: "Europe/Berlin",
    });
    const add = screen.getByRole("button", { name: "Add a reminder" });
    await userEvent.click(add);
    await userEvent.click(add);
    await userEvent.click(add);
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Reminder 1" }), "15 minutes before");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Reminder 2" }), "1 day before");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Reminder 3" }), "At a date and time…");
    await userEvent.type(screen.getByLabelText("Reminder 3: date"), "2026-12-06");
    await userEvent.type(screen.getByLabelText("Reminder 3: time"), "20:00");
    await userEvent.click(add);
    await userEvent.click(add);
    expect(screen.getByRole("button", { name: "At most 5 reminders" })).toBeDisabled();
    await userEvent.click(screen.getByRole("button", { name: "Remove Reminder 5" }));
    await save();
    expect(sent().reminders).toEqual([
      { before_minutes: 15 },
      { before_minutes: 1440 },
      { at: "2026-12-06T19:00:00Z" },
      { before_minutes: 0 },
    ]);
  });

  it("shows the saved ones and sends an empty list when all are removed", async () => {
    const { sent, save } = editor(
      timed({
        title: "Dentist",
        due_date: "2026-12-07",
        reminders: [
          { id: 1, before_minutes: 120, at: null, fire_at: "2026-12-07T07:00:00Z" },
          { id: 2, before_minutes: null, at: "2026-12-06T18:00:00Z", fire_at: "2026-12-06T18:00:00Z" },
        ],
      }),
    );
    expect(screen.getByText("Without a due time, reminders count from 9:00 on the due date.")).toBeInTheDocument();
    expect(screen.getByRole("combobox", { name: "Reminder 1" })).toHaveDisplayValue("2 hours before");
    expect(screen.getByLabelText("Reminder 2: time")).toHaveValue("18:00");
    await userEvent.click(screen.getByRole("button", { name: "Remove Reminder 1" }));
    await userEvent.click(screen.getByRole("button", { name: "Remove Reminder 1" }));
    await save();
    expect(sent().reminders).toEqual([]);
  });

  it("shows the API's message about them", async () => {
    const { ApiError } = await import("../api/client");
    const onSave = vi
      .fn()
      .mockRejectedValue(new ApiError(400, "invalid", "Some fields are invalid.", { reminders: ["At most 5 reminders."] }));
    render(<TaskEditor task={makeTask({ due_date: "2026-12-07" })} labels={[]} me={ME} onSave={onSave} onCancel={vi.fn()} />);
    await userEvent.click(screen.getByRole("button", { name: "Add a reminder" }));
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("At most 5 reminders.")).toBeInTheDocument();
  });
});

describe("a conflict while changing the repeat", () => {
  it("keeps the If-Match check: nothing is overwritten unasked, and Save mine sends the repeat over the newer version", async () => {
    const mine = timed({ id: 1, title: "Water", due_date: "2026-12-07", version: 3 });
    let server = { ...mine, title: "Water (Bob's)", version: 4, recurrence: "", recurrence_text: null } as Task & Record<string, unknown>;
    const api = stubRoutes({
      "GET /api/tasks/1/": () => respond(200, server),
      "GET /api/tasks/": respond(200, page([])),
      "GET /api/tasks/1/comments/": respond(200, page([])),
      "PATCH /api/tasks/1/": (body) => {
        const sent = api.fetch.mock.calls.at(-1)![1]!.headers as Record<string, string>;
        if (sent["If-Match"] !== `"${server.version}"`) return apiError(412, "precondition_failed", "The task changed.");
        const changes = body as Record<string, unknown>;
        server = {
          ...server,
          ...changes,
          version: server.version + 1,
          recurrence_text: changes.recurrence ? "every week on Monday" : null,
        };
        return respond(200, server);
      },
    });
    api.fetch.mockImplementationOnce(async () => respond(200, mine));
    renderInApp(<TaskPanel taskId={1} editing onClose={vi.fn()} onOpen={vi.fn()} />);
    await userEvent.selectOptions(await screen.findByRole("combobox", { name: "Repeats" }), "Every week on Monday");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Someone else changed this task while you were editing it.");
    expect(server.recurrence).toBe("");
    await userEvent.click(within(alert).getByRole("button", { name: "Save mine over theirs" }));
    await screen.findByRole("heading", { name: "Water" });
    expect(server).toMatchObject({ recurrence: "FREQ=WEEKLY;BYDAY=MO", version: 5 });
    expect(api.calls("PATCH", "/api/tasks/1/").at(-1)!.body).toMatchObject({ recurrence: "FREQ=WEEKLY;BYDAY=MO" });
  });
});
