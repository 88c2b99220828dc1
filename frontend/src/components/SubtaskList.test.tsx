import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Task } from "../api/types";
import { setLanguage } from "../i18n";
import { makeTask, page, respond, stubRoutes } from "../test-support";
import { SubtaskList } from "./SubtaskList";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  setLanguage("en");
});

const parent = makeTask({ id: 1, title: "Plant beans" });
const CUT = "Titles are at most 200 characters; the rest was cut.";

describe("SubtaskList", () => {
  it("keeps the first 200 characters of a pasted title and says the rest was cut", async () => {
    let list: Task[] = [];
    const api = stubRoutes({
      "GET /api/tasks/": () => respond(200, page(list)),
      "POST /api/tasks/": (body) => {
        list = [makeTask({ id: 2, parent: 1, title: (body as { title: string }).title })];
        return respond(201, list[0]);
      },
    });
    render(<SubtaskList task={parent} canWrite onOpen={vi.fn()} onChanged={vi.fn()} />);
    await screen.findByText("No sub-tasks.");
    const input = screen.getByLabelText("New sub-task");
    expect(input).not.toHaveAccessibleDescription(CUT);

    await userEvent.click(input);
    await userEvent.paste("y".repeat(5000));
    expect(input).toHaveValue("y".repeat(200));
    expect(input).toHaveAccessibleDescription(CUT);
    expect(screen.getByText(CUT)).toHaveAttribute("role", "status");

    await userEvent.click(screen.getByRole("button", { name: "Add sub-task" }));
    expect(api.calls("POST", "/api/tasks/")[0].body).toEqual({ title: "y".repeat(200), parent: 1 });
    await vi.waitFor(() => expect(input).toHaveValue(""));
    expect(screen.queryByText(CUT)).not.toBeInTheDocument();
  });

  it("says nothing for a title within the limit", async () => {
    stubRoutes({ "GET /api/tasks/": respond(200, page([])) });
    render(<SubtaskList task={parent} canWrite onOpen={vi.fn()} onChanged={vi.fn()} />);
    const input = screen.getByLabelText("New sub-task");
    await userEvent.type(input, "Water");
    expect(input).toHaveValue("Water");
    expect(screen.queryByText(CUT)).not.toBeInTheDocument();
  });

  it("speaks German, the cut note too", async () => {
    setLanguage("de");
    stubRoutes({ "GET /api/tasks/": respond(200, page([])) });
    render(<SubtaskList task={parent} canWrite onOpen={vi.fn()} onChanged={vi.fn()} />);
    expect(await screen.findByText("Keine Unteraufgaben.")).toBeInTheDocument();
    const input = screen.getByLabelText("Neue Unteraufgabe");
    await userEvent.click(input);
    await userEvent.paste("y".repeat(201));
    expect(input).toHaveAccessibleDescription("Titel haben höchstens 200 Zeichen; der Rest wurde abgeschnitten.");
  });
});
