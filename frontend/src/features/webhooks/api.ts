// Webhooks (docs/api.md, "Webhooks"): endpoints TMS posts events to, and each endpoint's deliveries, through the
// app's one client (its token handling, 401 -> refresh -> retry). Typed here after the API contract until the
// schema documents these routes.
import { api, type ApiClient } from "../../api/client";
import { relative } from "../../api/operations";
import type { Page } from "../../api/types";

export type WebhookEvent =
  | "task.created"
  | "task.updated"
  | "task.completed"
  | "task.trashed"
  | "task.restored"
  | "task.deleted"
  | "comment.created"
  | "comment.deleted"
  | "project.member_added"
  | "project.member_removed";

export interface Webhook {
  id: number;
  url: string;
  description: string;
  events: WebhookEvent[];
  is_active: boolean;
  disabled_at: string | null;
  /** Why TMS turned it off (after failing deliveries), or "" */
  disabled_reason: string;
  consecutive_failures: number;
  created_at: string;
  updated_at: string;
}

/** `secret` (whsec_…) signs every delivery; it is shown once. */
export interface NewWebhook extends Webhook {
  secret: string;
}

export interface WebhookInput {
  url: string;
  events: WebhookEvent[];
  description: string;
}

export type WebhookChanges = Partial<WebhookInput> & { is_active?: boolean };

export type DeliveryState = "pending" | "succeeded" | "failed";

export interface Delivery {
  id: number;
  message_id: string;
  /** One of the events, or webhook.ping for a test event. */
  event: string;
  state: DeliveryState;
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  finished_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  payload: unknown;
}

export const webhookKeys = {
  all: ["webhooks"] as const,
  list: ["webhooks", "list"] as const,
  one: (id: number) => ["webhooks", "one", id] as const,
  deliveries: (id: number) => ["webhooks", "deliveries", id] as const,
};

const BASE = "/api/tasks/webhooks/";

export const webhooksApi = (client: ApiClient = api) => ({
  /** Every endpoint of the account (at most 10; a paginated answer is taken as well). */
  list: async () => {
    const answer = await client.get<Webhook[] | Page<Webhook>>(BASE);
    return Array.isArray(answer) ? answer : answer.results;
  },
  get: (id: number) => client.get<Webhook>(`${BASE}${id}/`),
  create: (input: WebhookInput) => client.post<NewWebhook>(BASE, input),
  update: (id: number, changes: WebhookChanges) => client.patch<Webhook>(`${BASE}${id}/`, changes),
  remove: (id: number) => client.delete(`${BASE}${id}/`),
  /** Queues a webhook.ping delivery: a test event. */
  ping: (id: number) => client.post<unknown>(`${BASE}${id}/ping/`),
  /** Newest first; `link` is the `next` link of the page before. */
  deliveries: (id: number, link?: string | null) => {
    if (!link) return client.get<Page<Delivery>>(`${BASE}${id}/deliveries/`);
    const target = relative(link);
    if (!target.startsWith(`${BASE}${id}/deliveries/`)) throw new Error(`${link} is not a page of this webhook's deliveries`);
    return client.get<Page<Delivery>>(target);
  },
  redeliver: (id: number, delivery: Delivery) => client.post<Delivery>(`${BASE}${id}/deliveries/${delivery.id}/redeliver/`),
});
