import { describe, expect, it } from "vitest";
import { addMonths, mondayOf, parseDate, step, visibleDays } from "./range";

describe("the calendar's days", () => {
  it("takes only real dates from the address", () => {
    expect(parseDate("2026-02-28")).toBe("2026-02-28");
    expect(parseDate("2026-02-30")).toBeNull();
    expect(parseDate("2026-2-3")).toBeNull();
    expect(parseDate("tomorrow")).toBeNull();
    expect(parseDate(null)).toBeNull();
  });

  it("starts weeks on Monday", () => {
    expect(mondayOf("2026-11-27")).toBe("2026-11-23"); // a Friday
    expect(mondayOf("2026-11-23")).toBe("2026-11-23");
    expect(mondayOf("2026-11-29")).toBe("2026-11-23"); // a Sunday belongs to the week before it
  });

  it("shows a month as its whole weeks", () => {
    const days = visibleDays("month", "2026-11-27");
    expect(days[0]).toBe("2026-10-26");
    expect(days.at(-1)).toBe("2026-12-06");
    expect(days).toHaveLength(42);
    // February 2027 starts on a Monday and fills four weeks exactly
    expect(visibleDays("month", "2027-02-10")).toHaveLength(28);
  });

  it("shows a week from Monday to Sunday", () => {
    expect(visibleDays("week", "2026-12-31")).toEqual([
      "2026-12-28",
      "2026-12-29",
      "2026-12-30",
      "2026-12-31",
      "2027-01-01",
      "2027-01-02",
      "2027-01-03",
    ]);
  });

  it("steps by a month (to the last day of a shorter one) or by a week", () => {
    expect(addMonths("2027-01-31", 1)).toBe("2027-02-28");
    expect(step("month", "2026-12-15", 1)).toBe("2027-01-15");
    expect(step("month", "2026-03-31", -1)).toBe("2026-02-28");
    expect(step("week", "2026-12-29", 1)).toBe("2027-01-05");
  });

  it("is not moved by the clocks changing (a day is a calendar day, not 24 hours of a zone)", () => {
    expect(visibleDays("week", "2026-03-29")[0]).toBe("2026-03-23");
    expect(visibleDays("week", "2026-10-25").at(-1)).toBe("2026-10-25");
  });
});
