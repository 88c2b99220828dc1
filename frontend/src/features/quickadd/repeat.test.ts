import type { Label } from "../../api/types";
import { loadChrono, loadRepeatParser, parseQuickAdd, type ChronoParser, type QuickAddContext, type RepeatParser } from "./parse";

const LABELS: Label[] = [{ id: 1, name: "home", colour: "#16a34a" }];
// Wednesday 2 December 2026, 10:00 in London.
const WEDNESDAY = new Date("2026-12-02T10:00:00Z");

let chrono: ChronoParser;
let repeat: RepeatParser;
beforeAll(async () => {
  [chrono, repeat] = await Promise.all([loadChrono("en"), loadRepeatParser()]);
});

function parse(text: string, context: Partial<QuickAddContext> = {}) {
  return parseQuickAdd(text, { labels: LABELS, now: WEDNESDAY, timeZone: "Europe/London", language: "en", chrono, repeat, ...context });
}

describe("repeats", () => {
  it("reads the brief's example: rule, first date, time, label and priority", () => {
    expect(parse("Pay rent every month on the 1st 9am #home !high")).toEqual({
      title: "Pay rent",
      labelIds: [1],
      unknownLabels: [],
      priority: "high",
      dueDate: "2027-01-01",
      dueTime: "09:00",
      dateText: "9am",
      recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
      repeatText: "every month on the 1st",
    });
  });

  it.each([
    ["Water the plants every week on Monday 9am", "Water the plants", "FREQ=WEEKLY;BYDAY=MO", "2026-12-07", "09:00"],
    ["Stand-up every weekday at 9:30", "Stand-up", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "2026-12-03", "09:30"],
    ["Gym every 2 days", "Gym", "FREQ=DAILY;INTERVAL=2", "2026-12-02", undefined],
    ["Bins every tuesday", "Bins", "FREQ=WEEKLY;BYDAY=TU", "2026-12-08", undefined],
    ["Invoice every month on the last day", "Invoice", "FREQ=MONTHLY;BYMONTHDAY=-1", "2026-12-31", undefined],
    ["Review every 2 weeks on monday and friday", "Review", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR", "2026-12-04", undefined],
    ["Pills every day for 5 times", "Pills", "FREQ=DAILY;COUNT=5", "2026-12-02", undefined],
    ["Read every day 9 pages", "Read 9 pages", "FREQ=DAILY", "2026-12-02", undefined],
  ])("%j repeats as %s", (text, title, recurrence, dueDate, dueTime) => {
    const parsed = parse(text);
    expect(parsed).toMatchObject({ title, recurrence, dueDate });
    expect(parsed.dueTime).toBe(dueTime);
  });

  it("starts a daily repeat tomorrow when today's time has passed", () => {
    expect(parse("Walk every day 8am")).toMatchObject({ dueDate: "2026-12-03", dueTime: "08:00", recurrence: "FREQ=DAILY" });
    expect(parse("Walk every day 11pm")).toMatchObject({ dueDate: "2026-12-02", dueTime: "23:00" });
  });

  it("keeps a date of its own as the first date", () => {
    expect(parse("Water every week on monday starting tomorrow")).toMatchObject({ recurrence: "FREQ=WEEKLY;BYDAY=MO" });
    expect(parse("Call tomorrow 5pm every week")).toMatchObject({
      title: "Call",
      dueDate: "2026-12-03",
      dueTime: "17:00",
      recurrence: "FREQ=WEEKLY",
    });
  });

  it.each(["Water every morning", "Clean every other week", "Read every book", "Everyday things", "every"])(
    "leaves %j alone: no repeat, nothing taken out of the title",
    (text) => {
      const parsed = parse(text);
      expect(parsed.recurrence).toBeUndefined();
      expect(parsed.title).toBe(text);
    },
  );

  it("leaves the phrase in the title while rrule.js is still loading", () => {
    expect(parse("Bins every tuesday", { repeat: null })).toMatchObject({ title: "Bins every", dueDate: "2026-12-08" });
  });

  it("still takes a time alone for nothing without a repeat", () => {
    expect(parse("Book flight at 10")).toEqual({ title: "Book flight at 10", labelIds: [], unknownLabels: [] });
  });

  it("reads tomorrow's time too", () => {
    expect(parse("Call Bob tomorrow at 3pm")).toMatchObject({ title: "Call Bob", dueDate: "2026-12-03", dueTime: "15:00" });
  });
});
