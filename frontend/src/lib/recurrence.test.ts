import { formatRule, parseRule, presetOf, presetRule, weekdayOf } from "./recurrence";

describe("repeat rules", () => {
  it("reads and writes the parts the editor shows, in one order", () => {
    const rule = parseRule("RRULE:INTERVAL=2;FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3");
    expect(rule).toEqual({ freq: "MONTHLY", interval: 2, byDay: [], monthDay: -1, count: 3, until: null });
    expect(formatRule(rule!)).toBe("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-1;COUNT=3");
    expect(formatRule(parseRule("FREQ=WEEKLY;BYDAY=FR,MO;UNTIL=20270105T000000Z")!)).toBe("FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=20270105");
  });

  it.each(["FREQ=MONTHLY;BYDAY=-1FR", "FREQ=YEARLY;BYMONTH=1", "FREQ=HOURLY", "BYDAY=MO", "FREQ=DAILY;BYSETPOS=1", "FREQ=DAILY;BYDAY=MO"])(
    "leaves %s to the API (no part-by-part form for it)",
    (text) => expect(parseRule(text)).toBeNull(),
  );

  it("makes the presets for the due date's weekday and day", () => {
    expect(weekdayOf("2026-12-04")).toBe("FR");
    expect(presetRule("weekly", "2026-12-04")).toBe("FREQ=WEEKLY;BYDAY=FR");
    expect(presetRule("monthly", "2026-12-04")).toBe("FREQ=MONTHLY;BYMONTHDAY=4");
    expect(presetRule("monthly-last", "2026-12-04")).toBe("FREQ=MONTHLY;BYMONTHDAY=-1");
    expect(presetRule("weekdays", "2026-12-04")).toBe("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
    expect(presetRule("none", "2026-12-04")).toBe("");
  });

  it("knows which preset a saved rule is, or that it is a custom one", () => {
    expect(presetOf("", "2026-12-04")).toBe("none");
    expect(presetOf("FREQ=WEEKLY;BYDAY=FR", "2026-12-04")).toBe("weekly");
    expect(presetOf("FREQ=WEEKLY;BYDAY=MO", "2026-12-04")).toBe("custom");
    expect(presetOf("FREQ=DAILY;INTERVAL=1", "2026-12-04")).toBe("daily");
    expect(presetOf("FREQ=MONTHLY;BYDAY=-1FR", "2026-12-04")).toBe("custom");
  });
});
