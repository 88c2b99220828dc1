import { boardPath, filtersFrom, legacyPath, listFromLocation, listPath, listQuery, nextDay, withFilters } from "./places";

describe("places as URLs", () => {
  it("gives each list a path and reads it back, the board's list from its query", () => {
    for (const list of [
      { kind: "all" },
      { kind: "inbox" },
      { kind: "today" },
      { kind: "upcoming" },
      { kind: "assigned" },
      { kind: "project", id: 12 },
      { kind: "label", id: 3 },
    ] as const) {
      expect(listFromLocation(listPath(list), "")).toEqual(list);
      const [path, search] = boardPath(list).split("?");
      expect(listFromLocation(path, search ? `?${search}` : "")).toEqual(list);
    }
    expect(listFromLocation("/trash", "")).toBeNull();
  });

  it("takes only ids a number holds exactly; anything else is the list of everything", () => {
    expect(listFromLocation("/projects/99999999999999999999", "")).toEqual({ kind: "all" });
    expect(listFromLocation("/projects/12abc", "")).toEqual({ kind: "all" });
    expect(listFromLocation("/board", "?list=project-0")).toEqual({ kind: "all" });
  });

  it("sends a link from before real URLs where it meant to go", () => {
    expect(legacyPath("?view=board&list=inbox")).toBe("/board?list=inbox");
    expect(legacyPath("?list=project-12")).toBe("/projects/12");
    expect(legacyPath("?view=trash")).toBe("/trash");
    expect(legacyPath("")).toBeNull();
  });

  it("keeps filters in the query, dropping what it does not know", () => {
    const filters = filtersFrom("?q=rent&status=todo&status=bogus&priority=high&sort=due_date&list=inbox");
    expect(filters).toEqual({ q: "rent", status: ["todo"], priority: ["high"], sort: "due_date" });
    expect(withFilters("?list=inbox", filters)).toBe("?list=inbox&q=rent&status=todo&priority=high&sort=due_date");
    expect(filtersFrom("?sort=password").sort).toBe("position");
  });

  it("asks the API for what each list holds", () => {
    expect(listQuery({ kind: "inbox" }, "2026-11-27")).toEqual({ project: ["inbox"], parent: "none" });
    expect(listQuery({ kind: "today" }, "2026-11-27")).toMatchObject({ due_before: "2026-11-27", status: ["todo", "in_progress"] });
    expect(listQuery({ kind: "upcoming" }, "2026-12-31")).toMatchObject({ due_after: "2027-01-01" });
    expect(listQuery({ kind: "assigned" }, "2026-11-27")).toEqual({ assignee: "me" });
    expect(listQuery({ kind: "project", id: 10 }, "2026-11-27", filtersFrom("?q=x"))).toEqual({
      project: ["10"],
      parent: "none",
      q: "x",
      ordering: "position",
    });
    expect(nextDay("2028-02-28")).toBe("2028-02-29");
  });
});
