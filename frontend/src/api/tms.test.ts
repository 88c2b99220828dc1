import { describe, expect, it, vi } from "vitest";
import { ApiClient } from "./client";
import { listUrl, tms } from "./tms";
import type { Task } from "./types";

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
}

describe("tms().labels", () => {
  it("follows the pages of the label list and returns every label", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(
        json({
          results: [{ id: 1, name: "home", colour: "#00ff00" }],
          next: "https://tms.example.com/api/tasks/labels/?cursor=abc&page_size=100",
          previous: null,
        }),
      )
      .mockResolvedValueOnce(json({ results: [{ id: 2, name: "work", colour: "#6b7280" }], next: null, previous: "x" }));
    const labels = await tms(new ApiClient({ fetch })).labels();
    expect(labels.map((label) => label.name)).toEqual(["home", "work"]);
    expect(fetch.mock.calls.map((call) => call[0])).toEqual([
      "/api/tasks/labels/?page_size=100",
      "/api/tasks/labels/?cursor=abc&page_size=100",
    ]);
  });
});

describe("documented operations", () => {
  it("fill in path parameters and send the documented headers and body", async () => {
    const fetch = vi.fn().mockResolvedValue(json({ id: 7, version: 4 }));
    const task = { id: 7, version: 3 } as Task;
    await tms(new ApiClient({ fetch })).updateTask(task, { title: "Renamed" });
    const [path, init] = fetch.mock.calls[0];
    expect(path).toBe("/api/tasks/7/");
    expect(init.method).toBe("PATCH");
    expect(init.headers["If-Match"]).toBe('"3"');
    expect(JSON.parse(init.body)).toEqual({ title: "Renamed" });
  });

  it("write the task list's filters as one comma-separated value each, leaving out empty ones", () => {
    expect(listUrl({ status: ["todo", "done"], label: [], q: "", ordering: "-due_date", overdue: true })).toBe(
      "/api/tasks/?status=todo%2Cdone&ordering=-due_date&overdue=true",
    );
    expect(listUrl({})).toBe("/api/tasks/");
  });

  it("follow only a next link of the same list", async () => {
    const fetch = vi.fn().mockResolvedValue(json({ results: [], next: null, previous: null }));
    const client = tms(new ApiClient({ fetch }));
    await client.page("https://tms.example.com/api/tasks/?cursor=abc");
    expect(fetch.mock.calls[0][0]).toBe("/api/tasks/?cursor=abc");
    expect(() => client.page("https://elsewhere.example.com/api/auth/me/")).toThrow("is not a page of /api/tasks/");
  });
});
