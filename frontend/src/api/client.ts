// The one place that talks to the API: access token in memory only, the refresh token in an
// HttpOnly cookie (use_cookie), CSRF header on cookie calls, 401 -> one silent refresh -> retry.

import type { ErrorBody } from "./types";

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
  const match = document.cookie.split("; ").find((part) => part.startsWith(`${name}=`));
  return match ? decodeURIComponent(match.slice(name.length + 1)) : null;
}

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  onSessionEnded?: () => void;
}

export class ApiClient {
  private accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  onSessionEnded: () => void;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? "";
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.onSessionEnded = options.onSessionEnded ?? (() => undefined);
  }

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  setAccessToken(token: string | null): void {
    this.accessToken = token;
  }

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

  /** Exchange the refresh cookie for a new access token; one refresh at a time. */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        const csrf = readCookie("csrftoken");
        const response = await this.send("POST", "/api/auth/refresh/", { use_cookie: true }, csrf ? { "X-CSRFToken": csrf } : {});
        if (!response.ok) {
          this.accessToken = null;
          return false;
        }
        this.accessToken = ((await response.json()) as { access: string }).access;
        return true;
      })().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /** A JSON request; on 401 the access token is refreshed once and the request retried. */
  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    let response = await this.send(method, path, body, headers);
    if (response.status === 401 && this.accessToken !== null) {
      if (await this.refresh()) {
        response = await this.send(method, path, body, headers);
      } else {
        this.onSessionEnded();
      }
    }
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
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

  /** Sign out: the server ends the session and clears the cookie. */
  async logout(): Promise<void> {
    const csrf = readCookie("csrftoken");
    try {
      await this.send("POST", "/api/auth/logout/", {}, csrf ? { "X-CSRFToken": csrf } : {});
    } finally {
      this.accessToken = null;
    }
  }
}

export const api = new ApiClient();
