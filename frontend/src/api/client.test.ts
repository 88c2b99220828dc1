import { describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError } from "./client";

function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function errorBody(status: number, code: string, message: string, fields?: unknown) {
  return { error: { status, code, message, fields, request_id: "req-1" } };
}

describe("ApiClient", () => {
  it("sends the access token and returns the JSON body", async () => {
    const fetch = vi.fn().mockResolvedValue(json(200, { id: 1 }));
    const client = new ApiClient({ fetch });
    client.setAccessToken("token-1");
    await expect(client.get("/api/tasks/1/")).resolves.toEqual({ id: 1 });
    expect(fetch.mock.calls[0][1].headers.Authorization).toBe("Bearer token-1");
  });

  it("refreshes once on 401 and retries the request with the new token", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(json(401, errorBody(401, "token_not_valid", "expired")))
      .mockResolvedValueOnce(json(200, { access: "token-2" }))
      .mockResolvedValueOnce(json(200, { id: 7 }));
    const client = new ApiClient({ fetch });
    client.setAccessToken("token-1");
    await expect(client.get("/api/tasks/7/")).resolves.toEqual({ id: 7 });
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(fetch.mock.calls[1][0]).toBe("/api/auth/refresh/");
    expect(JSON.parse(fetch.mock.calls[1][1].body)).toEqual({ use_cookie: true });
    expect(fetch.mock.calls[2][1].headers.Authorization).toBe("Bearer token-2");
  });

  it("ends the session when the refresh fails, without looping", async () => {
    const onSessionEnded = vi.fn();
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(json(401, errorBody(401, "token_not_valid", "expired")))
      .mockResolvedValueOnce(json(401, errorBody(401, "token_not_valid", "sign in again")));
    const client = new ApiClient({ fetch, onSessionEnded });
    client.setAccessToken("token-1");
    await expect(client.get("/api/tasks/")).rejects.toBeInstanceOf(ApiError);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(onSessionEnded).toHaveBeenCalledOnce();
    expect(client.signedIn).toBe(false);
  });

  it("shares one refresh between concurrent requests", async () => {
    let refreshes = 0;
    const fetch = vi.fn(async (url: string, init: RequestInit) => {
      if (url === "/api/auth/refresh/") {
        refreshes += 1;
        return json(200, { access: "fresh" });
      }
      const auth = (init.headers as Record<string, string>).Authorization;
      return auth === "Bearer fresh" ? json(200, { ok: true }) : json(401, errorBody(401, "token_not_valid", "expired"));
    });
    const client = new ApiClient({ fetch: fetch as unknown as typeof globalThis.fetch });
    client.setAccessToken("stale");
    await Promise.all([client.get("/a"), client.get("/b"), client.get("/c")]);
    expect(refreshes).toBe(1);
  });

  it("maps the error body to a message and field errors", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValue(json(400, errorBody(400, "invalid", "Some fields are invalid.", { title: ["This field may not be blank."] })));
    const client = new ApiClient({ fetch });
    const error = (await client.post("/api/tasks/", { title: "" }).catch((e) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid");
    expect(error.fieldMessage("title")).toBe("This field may not be blank.");
    expect(error.requestId).toBe("req-1");
  });

  it("flattens nested field errors (import rows)", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValue(json(400, errorBody(400, "invalid", "Some fields are invalid.", { tasks: { "1": { title: ["Required."] } } })));
    const error = (await new ApiClient({ fetch }).post("/x", {}).catch((e) => e)) as ApiError;
    expect(error.fieldMessage("tasks")).toBe("Required.");
  });

  it("turns a network failure into an offline error", async () => {
    const fetch = vi.fn().mockRejectedValue(new TypeError("Failed to fetch"));
    const error = (await new ApiClient({ fetch }).get("/api/tasks/").catch((e) => e)) as ApiError;
    expect(error.code).toBe("offline");
    expect(error.message).toMatch(/offline/);
  });

  it("gives a readable message for a non-JSON failure", async () => {
    const fetch = vi.fn().mockResolvedValue(new Response("<html>bad gateway</html>", { status: 502 }));
    const error = (await new ApiClient({ fetch }).get("/api/tasks/").catch((e) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.message).toBe("The server answered 502.");
  });

  it("sends the CSRF cookie on refresh", async () => {
    document.cookie = "csrftoken=abc123";
    const fetch = vi.fn().mockResolvedValue(json(200, { access: "t" }));
    await new ApiClient({ fetch }).refresh();
    expect(fetch.mock.calls[0][1].headers["X-CSRFToken"]).toBe("abc123");
  });
});
