import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import type { Label, TaskInput } from "../../api/types";
import { i18next } from "../../i18n";
import { QuickAdd } from "./QuickAdd";

const LABELS: Label[] = [
  { id: 1, name: "home", colour: "#16a34a" },
  { id: 2, name: "work", colour: "#2563eb" },
];

function setup(options: { timeZone?: string; onCreate?: (input: TaskInput) => Promise<void> } = {}) {
  const onCreate = vi.fn(options.onCreate ?? (() => Promise.resolve()));
  const onOpenChange = vi.fn();
  function Harness() {
    const [open, setOpen] = useState(true);
    return (
      <QuickAdd
        open={open}
        onOpenChange={(next) => {
          onOpenChange(next);
          setOpen(next);
        }}
        labels={LABELS}
        timeZone={options.timeZone ?? "Europe/London"}
        onCreate={onCreate}
      />
    );
  }
  const user = userEvent.setup();
  render(<Harness />);
  return { user, onCreate, onOpenChange, input: screen.getByRole("textbox", { name: i18next.t("Task") }) };
}

/** The chips under the field, once the dates parser has arrived (it is loaded when the dialog opens). */
async function chips() {
  await screen.findByText("Due");
  return within(screen.getByRole("list", { name: "Understood" }))
    .getAllByRole("listitem")
    .map((chip) => chip.textContent);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-12-02T10:00:00Z")); // Wednesday
});

afterEach(async () => {
  vi.useRealTimers();
  cleanup(); // before the language changes back under a mounted dialog
  await i18next.changeLanguage("en");
});

it("is a dialog named Quick add with the Task field focused", () => {
  const { input } = setup();
  expect(screen.getByRole("dialog", { name: "Quick add" })).toBeInTheDocument();
  expect(input).toHaveFocus();
  expect(screen.getByRole("button", { name: "Add task" })).toBeInTheDocument();
});

it("shows what it understood: the date, the priority, the labels and #words that are not labels", async () => {
  const { user, input } = setup();
  await user.type(input, "Pay rent tomorrow #home !1 #nope");
  expect(await chips()).toEqual(["Due Tomorrow, 3 Dec", "Priority: High", "#home", "not a label: nope"]);
});

it("shows nothing but the field for a plain title", async () => {
  const { user, input } = setup();
  await user.type(input, "Water the plants");
  expect(screen.queryByRole("list", { name: "Understood" })).not.toBeInTheDocument();
});

it("adds the task on Enter, then clears the field for the next one and says it was added", async () => {
  const { user, input, onCreate } = setup();
  await user.type(input, "Pay rent next friday #home #WORK !low{Enter}");
  expect(onCreate).toHaveBeenCalledWith({ title: "Pay rent", labels: [1, 2], priority: "low", due_date: "2026-12-11" });
  expect(await screen.findByRole("status")).toHaveTextContent("Added “Pay rent”");
  expect(input).toHaveValue("");
  expect(input).toHaveFocus();
  expect(screen.getByRole("dialog", { name: "Quick add" })).toBeInTheDocument();

  await user.type(input, "Sweep the yard{Enter}");
  expect(onCreate).toHaveBeenLastCalledWith({ title: "Sweep the yard" });
  expect(await screen.findByRole("status")).toHaveTextContent("Added “Sweep the yard”");
});

it("adds with the button too", async () => {
  const { user, input, onCreate } = setup();
  await user.type(input, "Call Mum about May");
  await user.click(screen.getByRole("button", { name: "Add task" }));
  expect(onCreate).toHaveBeenCalledWith({ title: "Call Mum about May" });
});

it("reads dates on the person's calendar", async () => {
  // 00:30 on Thursday in Tokyo, still Wednesday in London.
  vi.setSystemTime(new Date("2026-12-02T15:30:00Z"));
  const { user, input, onCreate } = setup({ timeZone: "Asia/Tokyo" });
  await user.type(input, "Pay rent tomorrow");
  expect(await chips()).toEqual(["Due Tomorrow, 4 Dec"]);
  await user.keyboard("{Enter}");
  expect(onCreate).toHaveBeenCalledWith({ title: "Pay rent", due_date: "2026-12-04" });
});

it("shows the error of a task that could not be added and keeps the text", async () => {
  const { user, input } = setup({ onCreate: () => Promise.reject(new Error("You may not add tasks to this project.")) });
  await user.type(input, "Pay rent{Enter}");
  expect(await screen.findByRole("alert")).toHaveTextContent("You may not add tasks to this project.");
  expect(input).toHaveValue("Pay rent");
  expect(screen.getByRole("status")).toHaveTextContent("");
});

it("asks for a title when the line is only a date and a priority", async () => {
  const { user, input, onCreate } = setup();
  await user.type(input, "tomorrow !1{Enter}");
  expect(await screen.findByRole("alert")).toHaveTextContent("Write what the task is.");
  expect(onCreate).not.toHaveBeenCalled();
});

it("closes on Esc", async () => {
  const { user, onOpenChange } = setup();
  await user.keyboard("{Escape}");
  expect(onOpenChange).toHaveBeenCalledWith(false);
  expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
});

it("reads German dates and priorities when the app speaks German", async () => {
  await i18next.changeLanguage("de");
  const { user, input, onCreate } = setup({ timeZone: "Europe/Berlin" });
  await user.type(input, "Miete zahlen morgen !hoch");
  expect(await screen.findByText("Morgen, 3. Dez.")).toBeInTheDocument();
  await user.keyboard("{Enter}");
  expect(onCreate).toHaveBeenCalledWith({ title: "Miete zahlen", priority: "high", due_date: "2026-12-03" });
});

it("previews a repeat with its first date and time before adding, and sends the rule", async () => {
  const { user, input, onCreate } = setup();
  await user.type(input, "Pay rent every month on the 1st 9am #home !high");
  expect(await screen.findByText("Every month on day 1")).toBeInTheDocument();
  expect(screen.getByText("Task: Pay rent")).toBeInTheDocument();
  expect(await chips()).toEqual(["Due Fri, 1 Jan 2027", "At 9:00", "↻ Every month on day 1", "Priority: High", "#home"]);
  await user.keyboard("{Enter}");
  expect(onCreate).toHaveBeenCalledWith({
    title: "Pay rent",
    labels: [1],
    priority: "high",
    due_date: "2027-01-01",
    due_time: "09:00",
    recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
  });
});

it("shows rrule.js's words for a repeat that is none of the editor's presets", async () => {
  const { user, input } = setup();
  await user.type(input, "Review every 2 weeks on monday and friday");
  expect(await screen.findByText("every 2 weeks on Monday, Friday")).toBeInTheDocument();
});

it("leaves a repeat it cannot read in the title and shows no repeat", async () => {
  const { user, input, onCreate } = setup();
  await user.type(input, "Water every other week tomorrow");
  expect(await chips()).toEqual(["Due Tomorrow, 3 Dec"]);
  await user.keyboard("{Enter}");
  expect(onCreate).toHaveBeenCalledWith({ title: "Water every other week", due_date: "2026-12-03" });
});

it("names the project the task goes to", async () => {
  const onCreate = vi.fn(() => Promise.resolve());
  render(<QuickAdd open onOpenChange={vi.fn()} labels={LABELS} timeZone="Europe/London" projectName="Garden" onCreate={onCreate} />);
  await userEvent.type(screen.getByRole("textbox", { name: "Task" }), "Mow tomorrow");
  expect(await chips()).toEqual(["Due Tomorrow, 3 Dec", "Garden"]);
});

it("reads English repeats in the German app too, and names them in German", async () => {
  await i18next.changeLanguage("de");
  const { user, input, onCreate } = setup({ timeZone: "Europe/Berlin" });
  await user.type(input, "Blumen gießen every week on Monday");
  expect(await screen.findByText("Jede Woche am Montag")).toBeInTheDocument();
  await user.keyboard("{Enter}");
  expect(onCreate).toHaveBeenCalledWith({ title: "Blumen gießen", due_date: "2026-12-07", recurrence: "FREQ=WEEKLY;BYDAY=MO" });
});

it("names a repeat in the app's language on its own day, even when the first date is another", async () => {
  const { user, input } = setup();
  await user.type(input, "Water every week on Monday tomorrow");
  expect(await screen.findByText("Every week on Monday")).toBeInTheDocument();
  expect(screen.getByText("Tomorrow, 3 Dec")).toBeInTheDocument();
});
