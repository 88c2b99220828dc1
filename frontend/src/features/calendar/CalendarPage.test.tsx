import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Route, Routes, useLocation } from "react-router";
import { useWorkspace, WorkspaceContext } from "../../app/workspace";
import { renderInApp } from "../../test-app";
import { apiError, ME, makeProject, makeTask, page, respond, stubRoutes } from "../../test-support";
import { CalendarPage } from "./CalendarPage";
import type { CalendarTask } from "./tasks";

afterEach(() => vi.unstubAllGlobals());

// Today is Friday 27 November 2026 (renderInApp's); November's grid runs from Monday 26 October to Sunday 6 December.
const task = (fields: Partial<CalendarTask>): CalendarTask => makeTask({ version: 3, ...fields });

function WhereAmI() {
  const location = useLocation();
  return <output aria-label="address">{location.pathname + location.search}</output>;
}

/** The calendar at `route`, as the signed-in app routes it (with a task's address beside it), in `timeZone`. */
function renderCalendar(route = "/calendar", timeZone = "UTC", projects = [makeProject()]) {
  function InZone() {
    const workspace = useWorkspace();
    return (
      <WorkspaceContext.Provider value={{ ...workspace, user: { ...ME, time_zone: timeZone } }}>
        <Routes>
          <Route path="/calendar" element={<CalendarPage />} />
          <Route path="/tasks/:id" element={<p>task panel</p>} />
        </Routes>
        <WhereAmI />
      </WorkspaceContext.Provider>
    );
  }
  return renderInApp(<InZone />, { route, projects });
}

const day = (iso: string) => document.querySelector<HTMLElement>(`[data-day="${iso}"]`)!;
const titlesOn = (iso: string) =>
  within(day(iso))
    .queryAllByRole("link")
    .map((link) => link.textContent);

describe("the calendar", () => {
  it("asks for every task due in the visible weeks, page after page, and puts each on its day", async () => {
    const api = stubRoutes({
      "GET /api/tasks/": (_, url) =>
        url.includes("cursor=")
          ? respond(200, page([task({ id: 3, title: "Pay rent", due_date: "2026-12-01" })]))
          : respond(200, {
              ...page([
                task({ id: 1, title: "Dentist", due_date: "2026-11-27" }),
                task({ id: 2, title: "Old one", due_date: "2026-10-26" }),
              ]),
              next: "http://localhost:3000/api/tasks/?cursor=abc",
            }),
    });
    renderCalendar("/calendar?view=month&date=2026-11-27");
    expect(await screen.findByRole("link", { name: "Pay rent" })).toBeInTheDocument();
    const first = new URL(api.calls("GET", "/api/tasks/")[0].url, "http://localhost");
    expect(first.searchParams.get("due_after")).toBe("2026-10-26");
    expect(first.searchParams.get("due_before")).toBe("2026-12-06");
    expect(api.calls("GET", "/api/tasks/")).toHaveLength(2);
    expect(titlesOn("2026-11-27")).toEqual(["Dentist"]);
    expect(titlesOn("2026-10-26")).toEqual(["Old one"]);
    expect(titlesOn("2026-12-01")).toEqual(["Pay rent"]);
    expect(screen.getByRole("heading", { level: 2, name: "November 2026" })).toBeInTheDocument();
    // Monday first; today marked for sight and for screen readers
    expect(document.querySelectorAll("[data-day]")[0]).toHaveAttribute("data-day", "2026-10-26");
    expect(day("2026-11-27")).toHaveAttribute("aria-current", "date");
    expect(within(day("2026-11-27")).getByText("Friday, 27 November 2026, today")).toBeInTheDocument();
    expect(day("2026-11-28")).not.toHaveAttribute("aria-current");
  });

  it("shows a task's time in the person's time zone, timed tasks first, and marks repeating tasks", async () => {
    stubRoutes({
      "GET /api/tasks/": respond(
        200,
        page([
          task({ id: 1, title: "Water plants", due_date: "2026-11-27", recurrence: "FREQ=DAILY", recurrence_text: "every day" }),
          task({ id: 2, title: "Standup", due_date: "2026-11-27", due_time: "09:30", due_at: "2026-11-27T08:30:00Z" }),
        ]),
      ),
    });
    renderCalendar("/calendar?view=week&date=2026-11-27", "Europe/Berlin");
    await screen.findByRole("link", { name: /Standup/ });
    expect(titlesOn("2026-11-27")).toEqual(["09:30 Standup", "Water plants"]);
    expect(within(day("2026-11-27")).getByText("Repeats: every day")).toBeInTheDocument();
    // a week: Monday 23 to Sunday 29 November
    expect([...document.querySelectorAll("[data-day]")].map((d) => d.getAttribute("data-day"))).toEqual([
      "2026-11-23",
      "2026-11-24",
      "2026-11-25",
      "2026-11-26",
      "2026-11-27",
      "2026-11-28",
      "2026-11-29",
    ]);
  });

  it("goes to the previous and next month, back to today, and to the week, all in the address", async () => {
    stubRoutes({ "GET /api/tasks/": respond(200, page([])) });
    renderCalendar("/calendar?view=month&date=2026-11-27");
    expect(await screen.findByText("Nothing is due in these days.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("link", { name: "Next month" }));
    expect(screen.getByRole("status", { name: "address" })).toHaveTextContent("/calendar?view=month&date=2026-12-27");
    expect(await screen.findByRole("heading", { level: 2, name: "December 2026" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("link", { name: "Previous month" }));
    await userEvent.click(screen.getByRole("link", { name: "Previous month" }));
    expect(await screen.findByRole("heading", { level: 2, name: "October 2026" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("link", { name: "Today" }));
    await userEvent.click(screen.getByRole("link", { name: "Week" }));
    expect(screen.getByRole("status", { name: "address" })).toHaveTextContent("/calendar?view=week&date=2026-11-27");
    expect(await screen.findByRole("link", { name: "Next week" })).toBeInTheDocument();
  });

  it("opens a task in the task panel", async () => {
    stubRoutes({ "GET /api/tasks/": respond(200, page([task({ id: 7, title: "Dentist", due_date: "2026-11-27" })])) });
    renderCalendar();
    await userEvent.click(await screen.findByRole("link", { name: "Dentist" }));
    expect(screen.getByRole("status", { name: "address" })).toHaveTextContent("/tasks/7");
  });

  it("moves a task to another day from its menu: at once, as a PATCH of the date with If-Match, and undoable", async () => {
    const dentist = task({ id: 7, title: "Dentist", due_date: "2026-11-27", due_time: "09:30", due_at: "2026-11-27T09:30:00Z" });
    // The server keeps what it was sent: a refetch after the move finds the task on its new day.
    let stored = dentist;
    const api = stubRoutes({
      "GET /api/tasks/": () => respond(200, page([stored])),
      "PATCH /api/tasks/7/": (body) => {
        const due_date = (body as { due_date: string }).due_date;
        stored = { ...stored, due_date, due_at: `${due_date}T09:30:00Z`, version: stored.version + 1 };
        return respond(200, stored);
      },
    });
    renderCalendar();
    await userEvent.click(await screen.findByRole("button", { name: "Actions for Dentist" }));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Move to date…" }));
    const dialog = await screen.findByRole("dialog", { name: "Move “Dentist” to another day" });
    const input = within(dialog).getByLabelText("New due date");
    expect(input).toHaveValue("2026-11-27");
    await userEvent.clear(input);
    await userEvent.type(input, "2026-12-02");
    await userEvent.click(within(dialog).getByRole("button", { name: "Move" }));
    await waitFor(() => expect(titlesOn("2026-12-02")).toEqual(["09:30 Dentist"]));
    expect(titlesOn("2026-11-27")).toEqual([]);
    // the keyboard focus followed the task to its new day
    await waitFor(() => expect(within(day("2026-12-02")).getByRole("button", { name: "Actions for Dentist" })).toHaveFocus());
    const [call] = api.calls("PATCH", "/api/tasks/7/");
    expect(call.body).toEqual({ due_date: "2026-12-02" }); // the time of day stays as it is
    const headers = api.fetch.mock.calls.find(([, init]) => init?.method === "PATCH")![1]!.headers as Record<string, string>;
    expect(headers["If-Match"]).toBe('"3"');
    expect(await screen.findByText(/Moved “Dentist” to Wed 2 Dec/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(api.calls("PATCH", "/api/tasks/7/")).toHaveLength(2));
    expect(api.calls("PATCH", "/api/tasks/7/")[1].body).toEqual({ due_date: "2026-11-27" });
  });

  it("puts the task back on its day and says why when the server refuses the move", async () => {
    stubRoutes({
      "GET /api/tasks/": respond(200, page([task({ id: 7, title: "Dentist", due_date: "2026-11-27" })])),
      "PATCH /api/tasks/7/": apiError(412, "precondition_failed", "Someone else changed this task. Reload it and try again."),
    });
    renderCalendar();
    await userEvent.click(await screen.findByRole("button", { name: "Actions for Dentist" }));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Move to date…" }));
    const input = await screen.findByLabelText("New due date");
    await userEvent.clear(input);
    await userEvent.type(input, "2026-11-30");
    await userEvent.click(screen.getByRole("button", { name: "Move" }));
    expect(await screen.findByText("Someone else changed this task. Reload it and try again.")).toBeInTheDocument();
    expect(titlesOn("2026-11-27")).toEqual(["Dentist"]);
    expect(titlesOn("2026-11-30")).toEqual([]);
    await waitFor(() => expect(within(day("2026-11-27")).getByRole("button", { name: "Actions for Dentist" })).toHaveFocus());
  });

  it("offers no move for a task the person may only read", async () => {
    stubRoutes({ "GET /api/tasks/": respond(200, page([task({ id: 7, title: "Their task", due_date: "2026-11-27", project: 10 })])) });
    renderCalendar("/calendar", "UTC", [makeProject({ id: 10, role: "viewer" })]);
    expect(await screen.findByRole("link", { name: "Their task" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Actions for Their task" })).not.toBeInTheDocument();
  });

  it("falls back to this month for an address with no real date", async () => {
    stubRoutes({ "GET /api/tasks/": respond(200, page([])) });
    renderCalendar("/calendar?view=month&date=2026-02-30");
    expect(await screen.findByRole("heading", { level: 2, name: "November 2026" })).toBeInTheDocument();
  });
});
