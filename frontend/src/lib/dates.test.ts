import { describe, expect, it } from "vitest";
import { daysBetween, formatDateTime, formatNumber, formatTime, instantAt, isOverdue, isPastDue, relativeDay, wallClockIn } from "./dates";

// Saturday 5 December 2026.
const TODAY = "2026-12-05";

describe("relativeDay", () => {
  it("names the nearest days in English", () => {
    expect(relativeDay("2026-12-05", TODAY, "en")).toBe("Today");
    expect(relativeDay("2026-12-06", TODAY, "en")).toBe("Tomorrow");
    expect(relativeDay("2026-12-04", TODAY, "en")).toBe("Yesterday");
  });

  it("names the nearest days in German", () => {
    expect(relativeDay("2026-12-05", TODAY, "de")).toBe("Heute");
    expect(relativeDay("2026-12-06", TODAY, "de")).toBe("Morgen");
    expect(relativeDay("2026-12-04", TODAY, "de")).toBe("Gestern");
  });

  it("gives the weekday within the next six days", () => {
    expect(relativeDay("2026-12-07", TODAY, "en")).toBe("Monday");
    expect(relativeDay("2026-12-11", TODAY, "en")).toBe("Friday");
    expect(relativeDay("2026-12-11", TODAY, "de")).toBe("Freitag");
  });

  it("gives weekday, day and month beyond that, and the year when it is not this year's", () => {
    expect(relativeDay("2026-12-12", TODAY, "en")).toBe("Sat 12 Dec");
    expect(relativeDay("2026-12-12", TODAY, "de")).toBe("Sa., 12. Dez.");
    expect(relativeDay("2026-11-20", TODAY, "en")).toBe("Fri 20 Nov");
    expect(relativeDay("2027-01-08", TODAY, "en")).toBe("Fri, 8 Jan 2027");
    expect(relativeDay("2027-01-08", TODAY, "de")).toBe("Fr., 8. Jan. 2027");
  });

  it("takes a regional language tag as its language", () => {
    expect(relativeDay("2026-12-06", TODAY, "de-AT")).toBe("Morgen");
    expect(relativeDay("2026-12-12", TODAY, "en-US")).toBe("Sat 12 Dec");
  });

  it("counts days across a daylight-saving change and a year's end", () => {
    expect(daysBetween("2026-03-28", "2026-03-30")).toBe(2);
    expect(daysBetween("2026-12-31", "2027-01-01")).toBe(1);
    expect(relativeDay("2027-01-01", "2026-12-31", "en")).toBe("Tomorrow");
  });
});

describe("isOverdue", () => {
  it("is true only before today", () => {
    expect(isOverdue("2026-12-04", TODAY)).toBe(true);
    expect(isOverdue("2026-12-05", TODAY)).toBe(false);
    expect(isOverdue("2026-12-06", TODAY)).toBe(false);
    expect(isOverdue("2025-12-31", TODAY)).toBe(true);
  });
});

describe("formatDateTime", () => {
  const instant = "2026-12-05T09:45:00Z";

  it("shows the time in the given zone, in each language's style", () => {
    expect(formatDateTime(instant, "en", "Europe/Berlin")).toBe("5 Dec 2026, 10:45");
    expect(formatDateTime(instant, "de", "Europe/Berlin")).toBe("05.12.2026, 10:45");
    expect(formatDateTime(instant, "en", "Asia/Tokyo")).toBe("5 Dec 2026, 18:45");
  });

  it("falls back to the browser's zone for an unknown one", () => {
    expect(formatDateTime(instant, "en", "Not/AZone")).toBe(formatDateTime(instant, "en"));
  });
});

describe("formatNumber", () => {
  it("groups and marks decimals as each language does", () => {
    expect(formatNumber(12345.5, "en")).toBe("12,345.5");
    expect(formatNumber(12345.5, "de")).toBe("12.345,5");
  });
});

describe("due times", () => {
  it("writes a time as the language does", () => {
    expect(formatTime("09:05", "en")).toBe("9:05");
    expect(formatTime("17:30", "de")).toBe("17:30");
  });

  it("turns a wall clock in a zone into the instant and back, across a change of clocks", () => {
    expect(instantAt("2026-12-07", "09:00", "Europe/Berlin")).toBe("2026-12-07T08:00:00Z");
    expect(instantAt("2026-07-07", "09:00", "Europe/Berlin")).toBe("2026-07-07T07:00:00Z");
    expect(instantAt("2026-03-29", "12:00", "Europe/London")).toBe("2026-03-29T11:00:00Z");
    expect(wallClockIn("2026-12-07T23:30:00Z", "Asia/Tokyo")).toEqual({ date: "2026-12-08", time: "08:30" });
  });

  it("is past due at its time when it has one, else from the next day", () => {
    const now = new Date("2026-12-02T10:00:00Z");
    expect(isPastDue("2026-12-02", "2026-12-02T09:00:00Z", "2026-12-02", now)).toBe(true);
    expect(isPastDue("2026-12-02", "2026-12-02T11:00:00Z", "2026-12-02", now)).toBe(false);
    expect(isPastDue("2026-12-02", null, "2026-12-02", now)).toBe(false);
    expect(isPastDue("2026-12-01", null, "2026-12-02", now)).toBe(true);
  });
});
