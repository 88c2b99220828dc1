import { describe, expect, it, vi } from "vitest";
import { ApiClient } from "./client";
import { tms } from "./tms";

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
