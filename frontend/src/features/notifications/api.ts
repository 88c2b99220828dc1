// The notification, push and calendar-feed endpoints (docs/api.md, "Notifications"), through the app's one client
// (its token handling, 401 -> refresh -> retry) and the operations the OpenAPI schema documents.
import { api, ApiError, type ApiClient } from "../../api/client";
import { operations } from "../../api/operations";
import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type NotificationKind = Schemas["NotificationKindEnum"];
export type AppNotification = Schemas["Notification"];
export type NotificationPage = Schemas["NotificationPage"];
export type NotificationSettings = Required<Schemas["Settings"]>;
export type PushConfig = Schemas["PushInfo"];
export type PushSubscriptionBody = Schemas["PushSubscriptionRequest"];
export type FeedState = Schemas["FeedState"];
/** `url` is shown once: the server keeps only a hash of its token. */
export type NewFeed = Schemas["NewFeed"];

export const notificationsApi = (client: ApiClient = api) => {
  const { GET, POST, PATCH, DELETE, next } = operations(client);
  return {
    summary: () => GET("/api/tasks/notifications/summary/"),
    /** The newest notifications, or the page a `next` link names. */
    list: (link?: string | null) => (link ? next("/api/tasks/notifications/", link) : GET("/api/tasks/notifications/")),
    markRead: (ids: number[]) => POST("/api/tasks/notifications/read/", { body: { ids } }),
    markAllRead: () => POST("/api/tasks/notifications/read/", { body: { all: true } }),
    settings: () => GET("/api/tasks/notifications/settings/") as Promise<NotificationSettings>,
    updateSettings: (changes: Partial<NotificationSettings>) =>
      PATCH("/api/tasks/notifications/settings/", { body: changes }) as Promise<NotificationSettings>,
    push: () => GET("/api/tasks/push/"),
    subscribe: (subscription: PushSubscriptionBody) => POST("/api/tasks/push/subscriptions/", { body: subscription }),
    /**
     * Removed; a 404 (TMS had no such subscription) leaves the same state, so it counts as done. The endpoint goes in
     * the body, which the schema leaves out for a DELETE: hence the client's own call.
     */
    unsubscribe: (endpoint: string) =>
      client.delete("/api/tasks/push/subscriptions/", { endpoint }).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      }),
    feed: () => GET("/api/tasks/calendar-feed/"),
    createFeed: () => POST("/api/tasks/calendar-feed/"),
    revokeFeed: () => DELETE("/api/tasks/calendar-feed/"),
  };
};
