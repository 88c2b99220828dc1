// The one place that talks to the API: access token in memory only, the refresh token in an
// HttpOnly cookie (use_cookie), CSRF header on cookie calls, 401 -> one silent refresh -> retry.
// Refreshes take turns across tabs (offline/tabSession); task creates and edits made offline wait in
// the offline queue, and the task list pages last seen are served when the network is gone.

import { lastSeen as browserLastSeen, lastSeenKey, type LastSeenStore } from "../offline/lastSeen";
import { browserLocks } from "../offline/locks";
import { OfflineQueue } from "../offline/queue";
import { browserChannel, TabSession } from "../offline/tabSession";
import type { ErrorBody, Page, Task, TaskChanges, TaskInput } from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string[]>;
  readonly requestId: string | null;

  constructor(status: number, code: string, message: string, fields: Record<string, string[]> = {}, requestId: string | null = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.requestId = requestId;
  }

  /** The message for one form field, if the API named it. */
  fieldMessage(name: string): string | undefined {
    return this.fields[name]?.join(" ");
  }
}

function flattenFields(fields: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (fields && typeof fields === "object") {
    for (const [key, value] of Object.entries(fields as Record<string, unknown>)) {
      if (Array.isArray(value)) out[key] = value.map(String);
      else if (value && typeof value === "object") out[key] = Object.values(flattenFields(value)).flat();
      else out[key] = [String(value)];
    }
  }
  return out;
}

/** Turn any failed response into an ApiError with a message a person can read. */
export async function toApiError(response: Response): Promise<ApiError> {
  let body: ErrorBody | null = null;
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    body = null;
  }
  if (body?.error) {
    const { status, code, message, fields, request_id } = body.error;
    return new ApiError(status, code, message, flattenFields(fields), request_id);
  }
  return new ApiError(response.status, "http_error", `The server answered ${response.status}.`);
}

export const OFFLINE = new ApiError(0, "offline", "You appear to be offline. Check your connection and try again.");

function readCookie(name: string): string | null {
  const match = globalThis.document?.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return match ? decodeURIComponent(match.slice(name.length + 1)) : null;
}

/** The account an access token is for (its user_id claim), or null for anything else. */
export function tokenUser(token: string | null): string | null {
  try {
    const payload = token?.split(".")[1];
    if (!payload) return null;
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { user_id?: unknown };
    return claims.user_id === undefined || claims.user_id === null ? null : String(claims.user_id);
  } catch {
    return null;
  }
}

const TASK_LIST = /^\/api\/tasks\/(\?|$)/;
// What the app needs to open at all (who is signed in, the projects and labels of the sidebar): kept as last
// seen too, so a reload without a network still opens the app.
const SHELL_READS = /^\/api\/(auth\/me\/|tasks\/(projects|labels)\/(\?|$))/;
// The account whose pages were kept last, for a reload without a network (which cannot refresh).
const LAST_USER = "tms.offline.user";
const TASK_DETAIL = /^\/api\/tasks\/(-?\d+)\/$/;

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  onSessionEnded?: () => void;
  /** Where task creates and edits made offline wait (null: they fail with OFFLINE). */
  queue?: OfflineQueue | null;
  /** Where the task list pages last seen are kept for offline use (null: not kept). */
  lastSeen?: LastSeenStore | null;
  /** Refreshes in turn with the other tabs (null: each tab on its own). */
  tabs?: TabSession | null;
  /** A readable cookie the server sets beside the refresh cookie: without it there is no session to
   * restore, so the start-up refresh is skipped (null: always try). */
  sessionMarker?: string | null;
  /** Whether the browser believes it is online. */
  online?: () => boolean;
  /** Waits before a write is sent again after a 503 (tests make it instant). */
  sleep?: (ms: number) => Promise<void>;
}

/** The longest Retry-After a write waits out before it is sent again; a longer one is answered at once. */
const MAX_RETRY_WAIT_SECONDS = 10;

/** Seconds to wait before a write that met 503 is sent once more, or null when it must not be: only a create
 * with its Idempotency-Key or an edit with its If-Match, which the server applies at most once (docs/reliability.md). */
function retryWait(method: string, headers: Record<string, string>, response: Response): number | null {
  if (response.status !== 503) return null;
  const repeatable = (method === "POST" && "Idempotency-Key" in headers) || (method === "PATCH" && "If-Match" in headers);
  const retryAfter = response.headers.get("Retry-After");
  const seconds = retryAfter === null || retryAfter.trim() === "" ? NaN : Number(retryAfter);
  if (!repeatable || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_RETRY_WAIT_SECONDS) return null;
  return seconds;
}

export class ApiClient {
  private accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly lastSeen: LastSeenStore | null;
  private readonly tabs: TabSession | null;
  private readonly sessionMarker: string | null;
  private readonly online: () => boolean;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Task writes made offline; subscribe for the pending count and conflicts. */
  readonly queue: OfflineQueue | null;
  onSessionEnded: () => void;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? "";
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.onSessionEnded = options.onSessionEnded ?? (() => undefined);
    this.queue = options.queue ?? null;
    this.lastSeen = options.lastSeen ?? null;
    this.tabs = options.tabs ?? null;
    this.sessionMarker = options.sessionMarker ?? null;
    this.online = options.online ?? (() => globalThis.navigator?.onLine !== false);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.tabs?.listen((message) => {
      if (message.type === "refreshed") {
        // Another tab's refresh rotated the cookie; its access token is as good as ours, and newer.
        if (this.accessToken !== null && tokenUser(message.access) === tokenUser(this.accessToken)) this.setAccessToken(message.access);
      } else if (message.type === "signed-out" && this.accessToken !== null) {
        this.ended();
      }
    });
  }

  /** The session is over (refused refresh, or signed out in another tab): nothing of it stays. */
  private ended(): void {
    this.setAccessToken(null);
    globalThis.localStorage?.removeItem(LAST_USER);
    this.lastSeen?.clear();
    this.onSessionEnded();
  }

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  /** The signed-in account's id (from the access token; offline, the account resumed), or null. */
  get user(): string | null {
    return tokenUser(this.accessToken) ?? this.offlineUser;
  }

  private offlineUser: string | null = null;

  /**
   * A reload without a network cannot refresh the session: carry on as the account last signed in in this
   * browser (its session marker still set), answering from what it last saw, with its writes queued. The next
   * refresh, once online, decides whether the session is still good. False when there is no such account.
   */
  resumeOffline(): boolean {
    const user = globalThis.localStorage?.getItem(LAST_USER) ?? null;
    if (user === null || this.online() || (this.sessionMarker !== null && readCookie(this.sessionMarker) === null)) return false;
    this.offlineUser = user;
    this.queue?.use(user, this.sendQueued);
    return true;
  }

  setAccessToken(token: string | null): void {
    this.accessToken = token;
    this.offlineUser = null;
    const user = tokenUser(token);
    if (user !== null) globalThis.localStorage?.setItem(LAST_USER, user);
    this.queue?.use(user, this.sendQueued);
    // Signed in with writes left from an offline spell (this tab's or a closed one's): send them now.
    if (user !== null && this.online()) void this.queue?.flush();
  }

  private readonly sendQueued = <T>(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<T> =>
    this.request<T>(method, path, body, headers, { queue: false });

  private async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const allHeaders: Record<string, string> = { Accept: "application/json", ...headers };
    if (body !== undefined) allHeaders["Content-Type"] = "application/json";
    if (this.accessToken) allHeaders.Authorization = `Bearer ${this.accessToken}`;
    try {
      return await this.fetchImpl(this.baseUrl + path, {
        method,
        headers: allHeaders,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch {
      throw OFFLINE;
    }
  }

  /** Exchange the refresh cookie for a new access token; one refresh at a time, across tabs too. At
   * start-up (no access token yet) without the session marker cookie there is nothing to exchange. */
  refresh(): Promise<boolean> {
    if (this.accessToken === null && this.sessionMarker !== null && readCookie(this.sessionMarker) === null) {
      return Promise.resolve(false);
    }
    if (!this.refreshing) {
      const exchange = async (): Promise<string | null> => {
        const csrf = readCookie("csrftoken");
        const response = await this.send("POST", "/api/auth/refresh/", { use_cookie: true }, csrf ? { "X-CSRFToken": csrf } : {});
        if (!response.ok) return null;
        return ((await response.json()) as { access: string }).access;
      };
      this.refreshing = (this.tabs ? this.tabs.refresh(exchange, this.accessToken) : exchange())
        .then((access) => {
          this.setAccessToken(access);
          return access !== null;
        })
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  /** A JSON request; on 401 the access token is refreshed once and the request retried. Task creates
   * and edits that cannot reach the server are queued (see offline/queue) unless `queue` is false. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    options: { queue?: boolean } = {},
  ): Promise<T> {
    const queued = options.queue !== false ? this.queueable(method, path) : null;
    if (queued && (!this.online() || TASK_DETAIL.exec(path)?.[1].startsWith("-"))) return this.enqueue<T>(queued, path, body, headers);
    let response: Response;
    try {
      response = await this.send(method, path, body, headers);
      const sentWith = this.accessToken;
      if (response.status === 401 && sentWith !== null) {
        // Another tab may have refreshed while this request was out: its token needs no refresh of ours.
        if (this.accessToken !== sentWith || (await this.refresh())) {
          response = await this.send(method, path, body, headers);
        } else {
          this.ended();
        }
      }
      // The database lost its primary mid-request: a create or an edit the server applies at most once
      // goes again after Retry-After, once (the server already ran it again itself when it could).
      const wait = retryWait(method, headers, response);
      if (wait !== null) {
        await this.sleep(wait * 1000);
        response = await this.send(method, path, body, headers);
      }
    } catch (error) {
      if (error !== OFFLINE) throw error;
      if (queued) return this.enqueue<T>(queued, path, body, headers);
      const seen = method === "GET" ? (this.seen(path) ?? this.seenShell(path)) : null;
      if (seen) return seen as T;
      throw error;
    }
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) return undefined as T;
    if (options.queue !== false && this.queue?.state.pending) void this.queue.flush(); // the network is back
    const answer = (await response.json()) as T;
    if (method === "GET" && SHELL_READS.test(path) && this.user !== null) this.lastSeen?.save(lastSeenKey(this.user, path), answer);
    return method === "GET" && TASK_LIST.test(path) ? (this.keep(path, answer as Page<Task>) as T) : answer;
  }

  /** "create" or "edit" for the task writes the offline queue takes, when someone is signed in. */
  private queueable(method: string, path: string): "create" | "edit" | null {
    if (!this.queue || this.user === null) return null;
    if (method === "POST" && path === "/api/tasks/") return "create";
    if (method === "PATCH" && TASK_DETAIL.test(path)) return "edit";
    return null;
  }

  private enqueue<T>(kind: "create" | "edit", path: string, body: unknown, headers: Record<string, string>): T {
    const queue = this.queue as OfflineQueue;
    if (kind === "create") return queue.create(body as TaskInput, headers["Idempotency-Key"] ?? crypto.randomUUID()) as T;
    const id = Number(TASK_DETAIL.exec(path)?.[1]);
    return queue.edit(id, body as TaskChanges, headers["If-Match"] ?? null, this.seenTask(id)) as T;
  }

  /** Keep a task list page for offline use; answer it with the unsent writes on it. */
  private keep(path: string, page: Page<Task>): Page<Task> {
    const user = this.user;
    if (user !== null) this.lastSeen?.save(lastSeenKey(user, path), page);
    return this.queue ? this.queue.overlay(page, path) : page;
  }

  /** The page of a task list last seen, with the unsent writes on it, or null. */
  private seen(path: string): Page<Task> | null {
    const user = this.user;
    if (user === null || !this.lastSeen || !TASK_LIST.test(path)) return null;
    const page = this.lastSeen.load<Page<Task>>(lastSeenKey(user, path));
    if (!page) return null;
    return this.queue ? this.queue.overlay(page, path) : page;
  }

  /** The account, projects or labels as last seen, or null. */
  private seenShell(path: string): unknown {
    const user = this.user;
    if (user === null || !this.lastSeen || !SHELL_READS.test(path)) return null;
    return this.lastSeen.load<unknown>(lastSeenKey(user, path));
  }

  /** A task as last seen in any list page of this account. */
  private seenTask(id: number): Task | null {
    const user = this.user;
    if (user === null || !this.lastSeen) return null;
    for (const key of this.lastSeen.keys()) {
      if (!key.startsWith(`${user} `) || !TASK_LIST.test(key.slice(user.length + 1))) continue;
      const task = this.lastSeen.load<Page<Task>>(key)?.results.find((t) => t.id === id);
      if (task) return task;
    }
    return null;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }
  post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return this.request<T>("POST", path, body ?? {}, headers);
  }
  patch<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<T> {
    return this.request<T>("PATCH", path, body, headers);
  }
  delete<T = void>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("DELETE", path, body);
  }

  /** Sign out: the server ends the session and clears the cookie; the other tabs and the task pages
   * kept for offline use go with it. Unsent writes stay, for this account's next sign-in. */
  async logout(): Promise<void> {
    const csrf = readCookie("csrftoken");
    try {
      await this.send("POST", "/api/auth/logout/", {}, csrf ? { "X-CSRFToken": csrf } : {});
    } finally {
      this.setAccessToken(null);
      globalThis.localStorage?.removeItem(LAST_USER);
      this.lastSeen?.clear();
      this.tabs?.signedOut();
    }
  }
}

/** The app's client: offline queue, last-seen pages, refreshes shared with the other tabs, and the
 * `tms_session` marker cookie deciding whether a start-up refresh is worth a request. */
export const api = new ApiClient({
  queue: new OfflineQueue({ locks: browserLocks() }),
  lastSeen: browserLastSeen,
  tabs: new TabSession({ locks: browserLocks(), channel: browserChannel() }),
  sessionMarker: "tms_session",
});

if (typeof window !== "undefined") {
  window.addEventListener("online", () => void api.queue?.flush());
  window.addEventListener("storage", (event) => api.queue?.changedElsewhere(event.key));
}
