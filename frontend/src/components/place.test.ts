import { describe, expect, it } from "vitest";
import { placeFrom, searchFor } from "./place";

describe("the place in the URL", () => {
  it("round-trips every view and list", () => {
    for (const place of [
      { view: "board", scope: { kind: "inbox" } },
      { view: "list", scope: { kind: "project", id: 12 } },
      { view: "trash", scope: { kind: "assigned" } },
      { view: "account", scope: { kind: "all" } },
    ] as const) {
      expect(placeFrom(searchFor(place))).toEqual(place);
    }
  });

  it("leaves the front page's URL bare", () => {
    expect(searchFor({ view: "list", scope: { kind: "all" } })).toBe("");
  });

  it("falls back to the List of everything for what it does not know", () => {
    expect(placeFrom("?view=admin&list=project-x")).toEqual({ view: "list", scope: { kind: "all" } });
    expect(placeFrom("")).toEqual({ view: "list", scope: { kind: "all" } });
  });

  it("takes no project id a number cannot hold exactly (a forged or mangled link)", () => {
    for (const list of ["project-99999999999999999999", "project-0", "project-012", "project-1e3"]) {
      expect(placeFrom(`?list=${list}`).scope).toEqual({ kind: "all" });
    }
    expect(placeFrom("?list=project-999999999999999").scope).toEqual({ kind: "project", id: 999999999999999 });
  });
});
