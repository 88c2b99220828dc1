import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TabSession } from "../offline/tabSession";
import { channelHub, failure, json as answer, sharedLocks, token } from "../offline/testing";
import { createLastSeen } from "../offline/lastSeen";
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

/** A server with a rotating refresh cookie (one jar, as tabs of one browser share): presenting a
 * rotated-away refresh token ends the session, as accounts/services/sessions.py does. */
function sessionServer() {
  const state = { jar: "refresh-1", valid: "refresh-1" as string | null, refreshes: 0, issued: [] as string[] };
  const fetch = vi.fn(async (url: string, init: RequestInit = {}) => {
    if (url === "/api/auth/refresh/") {
      state.refreshes += 1;
      const presented = state.jar; // the cookie goes with the request as it leaves
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (presented !== state.valid) {
        state.valid = null; // reuse: the session is over
        return failure(401, "session_ended");
      }
      const access = token(1, `t${state.refreshes}`);
      state.issued.push(access);
      state.valid = state.jar = `refresh-${state.refreshes + 1}`;
      return answer(200, { access });
    }
    const auth = (init.headers as Record<string, string>).Authorization?.replace("Bearer ", "");
    if (state.valid === null || !auth || !state.issued.includes(auth)) return failure(401, "token_not_valid");
    return answer(200, { ok: true });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, state };
}

describe("tabs of one browser", () => {
  beforeEach(() => localStorage.clear());

  function tabs(count: number, locks: ReturnType<typeof sharedLocks> | null, server: ReturnType<typeof sessionServer>) {
    const channel = channelHub();
    return Array.from({ length: count }, () => {
      const ended = vi.fn();
      const client = new ApiClient({ fetch: server.fetch, onSessionEnded: ended, tabs: new TabSession({ locks, channel: channel() }) });
      client.setAccessToken(token(1, "expired"));
      return { client, ended };
    });
  }

  it("two tabs meeting a 401 at once refresh once and both stay signed in", async () => {
    const server = sessionServer();
    const [a, b] = tabs(2, sharedLocks(), server);
    await expect(Promise.all([a.client.get("/api/tasks/"), b.client.get("/api/tasks/")])).resolves.toEqual([{ ok: true }, { ok: true }]);
    expect(server.state.refreshes).toBe(1);
    expect(server.state.valid).not.toBeNull();
    expect(a.ended).not.toHaveBeenCalled();
    expect(b.ended).not.toHaveBeenCalled();
    expect(a.client.signedIn && b.client.signedIn).toBe(true);
  });

  it("a tab that waited for the lock waits for the message too, when localStorage reaches it late", async () => {
    const server = sessionServer();
    const locks = sharedLocks();
    const channel = channelHub();
    const [a, b] = [0, 1].map(() => {
      const own = new Map<string, string>(); // each tab's view of localStorage, never updated by the other
      const storage = { getItem: (k: string) => own.get(k) ?? null, setItem: (k: string, v: string) => void own.set(k, v) } as Storage;
      const client = new ApiClient({ fetch: server.fetch, tabs: new TabSession({ locks, channel: channel(), storage: () => storage }) });
      client.setAccessToken(token(1, "expired"));
      return client;
    });
    await expect(Promise.all([a.get("/api/tasks/"), b.get("/api/tasks/")])).resolves.toEqual([{ ok: true }, { ok: true }]);
    expect(server.state.refreshes).toBe(1);
  });

  it("three tabs: one refresh, the others take its token", async () => {
    const server = sessionServer();
    const all = tabs(3, sharedLocks(), server);
    await Promise.all(all.map(({ client }) => client.get("/api/tasks/")));
    expect(server.state.refreshes).toBe(1);
    await Promise.all(all.map(({ client }) => client.get("/api/tasks/"))); // no new refresh needed
    expect(server.state.refreshes).toBe(1);
  });

  it("a tab whose 401 crossed another tab's refresh takes that tab's token", async () => {
    const server = sessionServer();
    const [a, b] = tabs(2, sharedLocks(), server);
    await a.client.get("/api/tasks/");
    // b's request leaves with the old token; its 401 comes back before a's message does
    await expect(b.client.get("/api/tasks/")).resolves.toEqual({ ok: true });
    expect(server.state.refreshes).toBe(1);
    expect(b.ended).not.toHaveBeenCalled();
  });

  it("long after another tab's refresh, a tab refreshes again, with the rotated cookie", async () => {
    const server = sessionServer();
    let now = 1_000_000;
    const locks = sharedLocks();
    const channel = channelHub();
    const [a, b] = [0, 1].map(() => {
      const client = new ApiClient({ fetch: server.fetch, tabs: new TabSession({ locks, channel: channel(), now: () => now }) });
      client.setAccessToken(token(1, "expired"));
      return client;
    });
    await a.get("/api/tasks/");
    await new Promise((resolve) => setTimeout(resolve, 10));
    now += 60_000;
    b.setAccessToken(token(1, "expired again"));
    await expect(b.get("/api/tasks/")).resolves.toEqual({ ok: true });
    expect(server.state.refreshes).toBe(2);
    expect(server.state.valid).not.toBeNull();
  });

  it("without Web Locks each tab refreshes on its own, as before (and the second refresh ends the session)", async () => {
    const server = sessionServer();
    const [a, b] = tabs(2, null, server);
    await Promise.allSettled([a.client.get("/api/tasks/"), b.client.get("/api/tasks/")]);
    expect(server.state.refreshes).toBe(2);
    expect(server.state.valid).toBeNull();
  });

  it("signing out in one tab signs the others out", async () => {
    const server = sessionServer();
    const [a, b] = tabs(2, sharedLocks(), server);
    await a.client.logout();
    await vi.waitFor(() => expect(b.ended).toHaveBeenCalledOnce());
    expect(b.client.signedIn).toBe(false);
  });
});

describe("the start-up refresh", () => {
  afterEach(() => {
    document.cookie = "tms_session=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
  });

  it("is skipped without the session marker cookie: no request, no 401 in the console", async () => {
    const fetch = vi.fn().mockResolvedValue(answer(401, errorBody(401, "not_authenticated", "no cookie")));
    const client = new ApiClient({ fetch, sessionMarker: "tms_session" });
    await expect(client.refresh()).resolves.toBe(false);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("is made when the marker is there", async () => {
    document.cookie = "tms_session=1";
    const fetch = vi.fn().mockResolvedValue(answer(200, { access: token(1) }));
    const client = new ApiClient({ fetch, sessionMarker: "tms_session" });
    await expect(client.refresh()).resolves.toBe(true);
    expect(fetch.mock.calls[0][0]).toBe("/api/auth/refresh/");
  });

  it("a 401 later still refreshes, marker or not", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(answer(401, errorBody(401, "token_not_valid", "expired")))
      .mockResolvedValueOnce(answer(200, { access: "token-2" }))
      .mockResolvedValueOnce(answer(200, { id: 7 }));
    const client = new ApiClient({ fetch, sessionMarker: "tms_session" });
    client.setAccessToken("token-1");
    await expect(client.get("/api/tasks/7/")).resolves.toEqual({ id: 7 });
  });
});

describe("a reload without a network", () => {
  beforeEach(() => {
    localStorage.clear();
    document.cookie = "tms_session=1; path=/";
  });
  afterEach(() => {
    document.cookie = "tms_session=; path=/; max-age=0";
    localStorage.clear();
  });

  it("opens as the account last signed in here, on what it last saw; signing out forgets it", async () => {
    const store = createLastSeen(() => localStorage);
    let online = true;
    const fetch = vi.fn(async (input: RequestInfo | URL) => {
      const url = String(input);
      if (!online) throw new TypeError("Failed to fetch");
      if (url === "/api/auth/me/") return answer(200, { id: 5, username: "ada" });
      if (url.startsWith("/api/tasks/projects/")) return answer(200, { results: [{ id: 9, name: "Garden" }], next: null });
      return answer(200, { results: [{ id: 1, title: "Seen before" }], next: null });
    });
    const before = new ApiClient({ fetch, lastSeen: store, sessionMarker: "tms_session", online: () => online });
    before.setAccessToken(token(5));
    await before.get("/api/auth/me/");
    await before.get("/api/tasks/projects/?page_size=100");
    await before.get("/api/tasks/?parent=none");

    // the reload: a new client, no network, so no refresh
    online = false;
    const after = new ApiClient({ fetch, lastSeen: store, sessionMarker: "tms_session", online: () => online });
    await expect(after.refresh()).rejects.toBeTruthy();
    expect(after.resumeOffline()).toBe(true);
    await expect(after.get("/api/auth/me/")).resolves.toEqual({ id: 5, username: "ada" });
    await expect(after.get("/api/tasks/projects/?page_size=100")).resolves.toMatchObject({ results: [{ name: "Garden" }] });
    await expect(after.get("/api/tasks/?parent=none")).resolves.toMatchObject({ results: [{ title: "Seen before" }] });
    expect(after.signedIn).toBe(false);

    online = true;
    await after.logout();
    online = false;
    const later = new ApiClient({ fetch, lastSeen: store, sessionMarker: "tms_session", online: () => online });
    expect(later.resumeOffline()).toBe(false);
  });

  it("does not resume when the browser is online or no session marker is set", () => {
    localStorage.setItem("tms.offline.user", "5");
    expect(new ApiClient({ sessionMarker: "tms_session", online: () => true }).resumeOffline()).toBe(false);
    document.cookie = "tms_session=; path=/; max-age=0";
    expect(new ApiClient({ sessionMarker: "tms_session", online: () => false }).resumeOffline()).toBe(false);
  });
});

describe("a write that meets 503 while the database changes its primary", () => {
  function unavailable(retryAfter: string | null = "5"): Response {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (retryAfter !== null) headers["Retry-After"] = retryAfter;
    const body = errorBody(503, "service_unavailable", "The service is temporarily unavailable; try again shortly.");
    return new Response(JSON.stringify(body), { status: 503, headers });
  }

  function client(fetch: typeof globalThis.fetch, sleep = vi.fn(async () => undefined)) {
    const api = new ApiClient({ fetch, sleep });
    api.setAccessToken("token-1");
    return { api, sleep };
  }

  it("sends a create once more with the same Idempotency-Key after Retry-After", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(unavailable("5"))
      .mockResolvedValueOnce(json(201, { id: 9 }));
    const { api, sleep } = client(fetch);
    await expect(api.post("/api/tasks/", { title: "a" }, { "Idempotency-Key": "key-1" })).resolves.toEqual({ id: 9 });
    expect(sleep).toHaveBeenCalledWith(5000);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(fetch.mock.calls[1][1].headers["Idempotency-Key"]).toBe("key-1");
  });

  it("sends an edit once more with the same If-Match", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(unavailable("2"))
      .mockResolvedValueOnce(json(200, { id: 9, version: 3 }));
    const { api } = client(fetch);
    await expect(api.patch("/api/tasks/9/", { title: "b" }, { "If-Match": '"2"' })).resolves.toEqual({ id: 9, version: 3 });
    expect(fetch.mock.calls[1][1].headers["If-Match"]).toBe('"2"');
  });

  it("gives up after the second 503, with the server's message", async () => {
    const fetch = vi.fn().mockResolvedValueOnce(unavailable()).mockResolvedValueOnce(unavailable());
    const { api } = client(fetch);
    await expect(api.post("/api/tasks/", { title: "a" }, { "Idempotency-Key": "key-1" })).rejects.toMatchObject({
      status: 503,
      code: "service_unavailable",
    });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it.each([
    ["a create without an Idempotency-Key", "POST", {}, "5"],
    ["an edit without If-Match", "PATCH", {}, "5"],
    ["a delete", "DELETE", { "If-Match": '"2"' }, "5"],
    ["no Retry-After", "POST", { "Idempotency-Key": "key-1" }, null],
    ["a Retry-After too long to wait for", "POST", { "Idempotency-Key": "key-1" }, "120"],
  ])("is not sent again: %s", async (_, method, headers, retryAfter) => {
    const fetch = vi.fn().mockResolvedValueOnce(unavailable(retryAfter));
    const { api, sleep } = client(fetch);
    await expect(api.request(method, "/api/tasks/9/", {}, headers)).rejects.toMatchObject({ status: 503 });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(sleep).not.toHaveBeenCalled();
  });
});
