// Shapes of the TMS API (docs/api.md; the OpenAPI schema at /api/schema/).

export type Status = "todo" | "in_progress" | "done";
export type Priority = "none" | "low" | "medium" | "high" | "urgent";

export const STATUSES: Status[] = ["todo", "in_progress", "done"];
export const PRIORITIES: Priority[] = ["none", "low", "medium", "high", "urgent"];
export const STATUS_NAMES: Record<Status, string> = { todo: "To do", in_progress: "In progress", done: "Done" };

export interface User {
  id: number;
  username: string;
  email: string;
  display_name: string;
  time_zone: string;
  date_joined: string;
}

export interface Label {
  id: number;
  name: string;
  colour: string;
}

export interface Task {
  id: number;
  title: string;
  description: string;
  status: Status;
  priority: Priority;
  due_date: string | null;
  completed_at: string | null;
  labels: Label[];
  position: number;
  version: number;
  created_at: string;
  updated_at: string;
  trashed_at?: string | null;
}

export interface TaskInput {
  title: string;
  description?: string;
  status?: Status;
  priority?: Priority;
  due_date?: string | null;
  labels?: number[];
}

export interface Page<T> {
  results: T[];
  next: string | null;
  previous: string | null;
}

export interface Session {
  id: number;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  user_agent: string;
  ip_address: string | null;
  current: boolean;
}

export interface TaskEvent {
  id: number;
  kind: string;
  changes: Record<string, unknown>;
  actor_id: number | null;
  created_at: string;
}

export interface ErrorBody {
  error: {
    status: number;
    code: string;
    message: string;
    fields?: Record<string, string[] | Record<string, unknown>>;
    request_id: string | null;
  };
}
