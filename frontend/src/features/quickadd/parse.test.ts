import type { Label } from "../../api/types";
import { loadChrono, offsetMinutes, parseQuickAdd, type ChronoParser, type QuickAddContext } from "./parse";

const LABELS: Label[] = [
  { id: 1, name: "home", colour: "#16a34a" },
  { id: 2, name: "Work", colour: "#2563eb" },
  { id: 3, name: "errands-2026", colour: "#6b7280" },
];
// Wednesday 2 December 2026, 10:00 in London.
const WEDNESDAY = new Date("2026-12-02T10:00:00Z");

let en: ChronoParser;
let de: ChronoParser;
beforeAll(async () => {
  [en, de] = await Promise.all([loadChrono("en"), loadChrono("de")]);
});

function parse(text: string, context: Partial<QuickAddContext> = {}) {
  return parseQuickAdd(text, {
    labels: LABELS,
    now: WEDNESDAY,
    timeZone: "Europe/London",
    language: "en",
    chrono: en,
    ...context,
  });
}

function german(text: string, context: Partial<QuickAddContext> = {}) {
  return parse(text, { language: "de", chrono: de, timeZone: "Europe/Berlin", ...context });
}

describe("plain text", () => {
  it("is the title, with its spaces tidied", () => {
    expect(parse("  Water   the plants ")).toEqual({ title: "Water the plants", labelIds: [], unknownLabels: [] });
  });

  it("leaves dates in the title while chrono is still loading", () => {
    expect(parse("Pay rent tomorrow !high", { chrono: null })).toMatchObject({ title: "Pay rent tomorrow", priority: "high" });
    expect(parse("Pay rent tomorrow", { chrono: null }).dueDate).toBeUndefined();
  });
});

describe("#labels", () => {
  it("picks existing labels in any case and takes them out of the title", () => {
    expect(parse("Buy milk #HOME #work")).toMatchObject({ title: "Buy milk", labelIds: [1, 2], unknownLabels: [] });
  });

  it("works anywhere in the text, with punctuation in the name or after it", () => {
    expect(parse("#errands-2026 post the parcel #home.")).toMatchObject({ title: "post the parcel", labelIds: [3, 1] });
  });

  it("counts a label written twice once", () => {
    expect(parse("Sweep #home #Home").labelIds).toEqual([1]);
  });

  it("reports words that are not labels and keeps them in the title", () => {
    expect(parse("Fix issue #42 #work #garden")).toMatchObject({
      title: "Fix issue #42 #garden",
      labelIds: [2],
      unknownLabels: ["42", "garden"],
    });
  });

  it("needs the # to start a word", () => {
    expect(parse("Learn C# and F#home")).toMatchObject({ title: "Learn C# and F#home", labelIds: [], unknownLabels: [] });
  });
});

describe("!priority", () => {
  it.each([
    ["!high", "high"],
    ["!medium", "medium"],
    ["!low", "low"],
    ["!1", "high"],
    ["!2", "medium"],
    ["!3", "low"],
    ["!HIGH", "high"],
    ["!urgent", "urgent"],
  ] as const)("%s is %s priority", (token, priority) => {
    expect(parse(`Renew passport ${token}`)).toMatchObject({ title: "Renew passport", priority });
  });

  it("takes the last one when there are several", () => {
    expect(parse("!low Renew passport !1")).toMatchObject({ title: "Renew passport", priority: "high" });
  });

  it("leaves other exclamations alone", () => {
    const parsed = parse("Celebrate! Buy cake !4 !soon");
    expect(parsed.title).toBe("Celebrate! Buy cake !4 !soon");
    expect(parsed.priority).toBeUndefined();
  });

  it("does not take German words in English", () => {
    expect(parse("Renew passport !hoch").priority).toBeUndefined();
  });
});

describe("dates", () => {
  it.each([
    ["Pay rent tomorrow", "2026-12-03", "tomorrow"],
    ["Pay rent today", "2026-12-02", "today"],
    ["Pay rent next friday", "2026-12-11", "next friday"],
    ["Pay rent friday", "2026-12-04", "friday"],
    ["Pay rent on 12 dec", "2026-12-12", "on 12 dec"],
    ["Pay rent Dec 12", "2026-12-12", "Dec 12"],
    ["Pay rent in 3 days", "2026-12-05", "in 3 days"],
    ["Pay rent next week", "2026-12-09", "next week"],
    ["Pay rent 12/24/2026", "2026-12-24", "12/24/2026"],
  ])("%s is due %s", (text, dueDate, dateText) => {
    expect(parse(text)).toMatchObject({ title: "Pay rent", dueDate, dateText });
  });

  it("takes a date without a year forward to its next time", () => {
    expect(parse("Book holiday on 12 jan").dueDate).toBe("2027-01-12");
  });

  it("takes the date out of the middle of the title", () => {
    expect(parse("Call the bank tomorrow about the loan")).toMatchObject({
      title: "Call the bank about the loan",
      dueDate: "2026-12-03",
    });
  });

  it("reads only the first date", () => {
    expect(parse("Plan friday's talk for monday")).toMatchObject({ dueDate: "2026-12-04" });
  });

  it("combines with labels and priority", () => {
    expect(parse("Pay rent tomorrow #home !1")).toEqual({
      title: "Pay rent",
      labelIds: [1],
      unknownLabels: [],
      priority: "high",
      dueDate: "2026-12-03",
      dateText: "tomorrow",
    });
  });

  it.each([
    "Call Mum about May",
    "March on Washington",
    "Buy sun cream",
    "Sat nav update",
    "Wed plans",
    "Fix it now",
    "Book flight at 10",
    "Add 1/2 cup of sugar",
    "Review pages 3/4",
    "Summarise last week",
    "What happened yesterday",
    "Read 1984",
    "Release 2.0",
  ])("finds no date in %j", (text) => {
    expect(parse(text)).toEqual({ title: text, labelIds: [], unknownLabels: [] });
  });
});

describe("time zones", () => {
  // 23:30 on Wednesday in Tokyo is 14:30 UTC.
  const TOKYO_LATE = new Date("2026-12-02T14:30:00Z");
  // 00:30 on Thursday in Tokyo is still Wednesday in UTC.
  const TOKYO_AFTER_MIDNIGHT = new Date("2026-12-02T15:30:00Z");
  // 22:30 on Wednesday in Los Angeles is Thursday in UTC.
  const LOS_ANGELES_LATE = new Date("2026-12-03T06:30:00Z");

  it("reads today and tomorrow on the person's calendar", () => {
    expect(parse("x today", { now: TOKYO_LATE, timeZone: "Asia/Tokyo" }).dueDate).toBe("2026-12-02");
    expect(parse("x tomorrow", { now: TOKYO_LATE, timeZone: "Asia/Tokyo" }).dueDate).toBe("2026-12-03");
    expect(parse("x tomorrow", { now: TOKYO_AFTER_MIDNIGHT, timeZone: "Asia/Tokyo" }).dueDate).toBe("2026-12-04");
    expect(parse("x tomorrow", { now: TOKYO_AFTER_MIDNIGHT, timeZone: "UTC" }).dueDate).toBe("2026-12-03");
    expect(parse("x today", { now: LOS_ANGELES_LATE, timeZone: "America/Los_Angeles" }).dueDate).toBe("2026-12-02");
    expect(parse("x tomorrow", { now: LOS_ANGELES_LATE, timeZone: "America/Los_Angeles" }).dueDate).toBe("2026-12-03");
  });

  it("counts weekdays from the person's day", () => {
    // Thursday 00:30 in Tokyo: "friday" is the next day there, while in Los Angeles it is still Wednesday morning.
    expect(parse("x friday", { now: TOKYO_AFTER_MIDNIGHT, timeZone: "Asia/Tokyo" }).dueDate).toBe("2026-12-04");
    expect(parse("x in 2 days", { now: TOKYO_AFTER_MIDNIGHT, timeZone: "Asia/Tokyo" }).dueDate).toBe("2026-12-05");
    expect(parse("x in 2 days", { now: TOKYO_AFTER_MIDNIGHT, timeZone: "America/Los_Angeles" }).dueDate).toBe("2026-12-04");
  });

  it("falls back to the browser's zone for a zone it does not know", () => {
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(parse("x tomorrow", { timeZone: "Mars/Olympus_Mons" }).dueDate).toBe(parse("x tomorrow", { timeZone: browserZone }).dueDate);
  });

  it("knows the offset on either side of a change of clocks", () => {
    expect(offsetMinutes(new Date("2026-10-24T12:00:00Z"), "Europe/Berlin")).toBe(120);
    expect(offsetMinutes(new Date("2026-10-25T12:00:00Z"), "Europe/Berlin")).toBe(60);
    expect(offsetMinutes(new Date("2026-12-02T10:00:00Z"), "Asia/Kolkata")).toBe(330);
    // 00:30 on the night the clocks go back in Berlin.
    expect(german("x heute", { now: new Date("2026-10-24T22:30:00Z") }).dueDate).toBe("2026-10-25");
  });
});

describe("German", () => {
  it.each([
    ["Miete zahlen morgen", "2026-12-03", "morgen"],
    ["Miete zahlen übermorgen", "2026-12-04", "übermorgen"],
    ["Miete zahlen heute", "2026-12-02", "heute"],
    ["Miete zahlen nächsten Freitag", "2026-12-11", "nächsten Freitag"],
    ["Miete zahlen Freitag", "2026-12-04", "Freitag"],
    ["Miete zahlen am 12. Dezember", "2026-12-12", "am 12. Dezember"],
    ["Miete zahlen in 3 Tagen", "2026-12-05", "in 3 Tagen"],
  ])("%s is due %s", (text, dueDate, dateText) => {
    expect(german(text)).toMatchObject({ title: "Miete zahlen", dueDate, dateText });
  });

  it("takes German and English priority words", () => {
    expect(german("Steuer !hoch")).toMatchObject({ title: "Steuer", priority: "high" });
    expect(german("Steuer !niedrig")).toMatchObject({ priority: "low" });
    expect(german("Steuer !medium")).toMatchObject({ priority: "medium" });
  });

  it.each(["Anruf bei Mama wegen Mai", "So geht das", "Do it again", "Mi casa", "Treffen mit Jan", "Sa und So frei"])(
    "finds no date in %j",
    (text) => {
      expect(german(text)).toEqual({ title: text, labelIds: [], unknownLabels: [] });
    },
  );
});
