// The notification, push and calendar-feed endpoints (docs/api.md, "Notifications"), through the app's one client
// (its token handling, 401 -> refresh -> retry). Typed here by hand until the schema's generated types name them.
import { api, ApiError, type ApiClient } from "../../api/client";

export type NotificationKind = "reminder" | "assigned" | "commented" | "shared";

export interface AppNotification {
  id: number;
  kind: NotificationKind;
  task: number | null;
  project: number | null;
  actor: string | null;
  /** An English sentence. */
  text: string;
  created_at: string;
  read_at: string | null;
}

export interface NotificationPage {
  results: AppNotification[];
  next?: string | null;
}

export interface NotificationSettings {
  email_reminders: boolean;
  push_reminders: boolean;
  email_activity: boolean;
  push_activity: boolean;
}

export interface PushConfig {
  enabled: boolean;
  /** The VAPID application server key, base64url. */
  public_key: string | null;
}

export interface PushSubscriptionBody {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface FeedState {
  active: boolean;
  created_at: string | null;
  last_used_at: string | null;
}

export interface NewFeed {
  /** Shown once: the server keeps only a hash of its token. */
  url: string;
  created_at: string;
}

const BASE = "/api/tasks";

/** A `next` link of the notification list, made relative to this origin (and refused if it is another list's). */
function nextPage(link: string): string {
  const parsed = new URL(link, window.location.origin);
  if (parsed.pathname !== `${BASE}/notifications/`) throw new Error(`${link} is not a page of the notifications`);
  return parsed.pathname + parsed.search;
}

export const notificationsApi = (client: ApiClient = api) => ({
  summary: () => client.get<{ unread: number }>(`${BASE}/notifications/summary/`),
  list: (link?: string | null) => client.get<NotificationPage>(link ? nextPage(link) : `${BASE}/notifications/`),
  markRead: (ids: number[]) => client.post<{ updated: number }>(`${BASE}/notifications/read/`, { ids }),
  markAllRead: () => client.post<{ updated: number }>(`${BASE}/notifications/read/`, { all: true }),
  settings: () => client.get<NotificationSettings>(`${BASE}/notifications/settings/`),
  updateSettings: (changes: Partial<NotificationSettings>) =>
    client.patch<NotificationSettings>(`${BASE}/notifications/settings/`, changes),
  push: () => client.get<PushConfig>(`${BASE}/push/`),
  /** Saved: 201 with an empty body, which the client (reading JSON from every answer but a 204) cannot parse. */
  subscribe: (subscription: PushSubscriptionBody) =>
    client.post<unknown>(`${BASE}/push/subscriptions/`, subscription).then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof SyntaxError) return undefined;
        throw error;
      },
    ),
  /** Removed; a 404 (TMS had no such subscription) leaves the same state, so it counts as done. */
  unsubscribe: (endpoint: string) =>
    client.delete(`${BASE}/push/subscriptions/`, { endpoint }).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }),
  feed: () => client.get<FeedState>(`${BASE}/calendar-feed/`),
  createFeed: () => client.post<NewFeed>(`${BASE}/calendar-feed/`),
  revokeFeed: () => client.delete(`${BASE}/calendar-feed/`),
});
