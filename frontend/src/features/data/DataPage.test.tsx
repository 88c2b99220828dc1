import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, respond, stubRoutes } from "../../test-support";
import { renderInApp } from "../../test-app";
import { DataPage } from "./DataPage";

afterEach(() => vi.unstubAllGlobals());

const STATS = {
  total: 1234,
  due_today: 2,
  overdue: 3,
  completed_last_7_days: 9,
  by_status: { todo: 1000, in_progress: 34, done: 200 },
  by_priority: {},
  today: "2026-11-27",
};

describe("stats and data", () => {
  it("shows the stats with numbers in the app's language, overdue marked", async () => {
    stubRoutes({ "GET /api/tasks/stats/": respond(200, STATS) });
    renderInApp(<DataPage />);
    const glance = await screen.findByRole("region", { name: "At a glance" });
    expect(await within(glance).findByText("1,234")).toBeInTheDocument();
    expect(within(glance).getByText("Overdue").parentElement).toHaveClass("overdue");
    expect(within(glance).getByText("In progress").nextSibling).toHaveTextContent("34");
  });

  it("imports each chosen file and says what came in; a file that is not JSON is named and nothing is sent", async () => {
    const api = stubRoutes({
      "GET /api/tasks/stats/": respond(200, STATS),
      "POST /api/tasks/import/": respond(201, { imported: 5, labels_created: 1, projects_created: 2 }),
    });
    renderInApp(<DataPage />);
    const input = screen.getByLabelText("Export files");
    await userEvent.upload(input, new File(["not json"], "notes.txt", { type: "application/json" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("“notes.txt” is not a TMS export file (JSON).");
    expect(api.calls("POST", "/api/tasks/import/")).toHaveLength(0);

    const part = { format: "tms-tasks", version: 2, tasks: [{ title: "A" }] };
    await userEvent.upload(input, new File([JSON.stringify(part)], "export.json", { type: "application/json" }));
    expect(await screen.findByText("Imported 5 tasks. 1 new label. 2 new projects.")).toBeInTheDocument();
    expect(api.calls("POST", "/api/tasks/import/")[0].body).toEqual(part);
  });

  it("shows the server's refusal of an import", async () => {
    stubRoutes({
      "GET /api/tasks/stats/": respond(200, STATS),
      "POST /api/tasks/import/": apiError(409, "conflict", "This part of the export was already imported."),
    });
    renderInApp(<DataPage />);
    await userEvent.upload(screen.getByLabelText("Export files"), new File(["{}"], "export.json", { type: "application/json" }));
    expect(await screen.findByText("This part of the export was already imported.")).toBeInTheDocument();
  });
});
