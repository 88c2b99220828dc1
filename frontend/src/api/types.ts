// Shapes of the TMS API under the names the app uses, taken from the types generated from the OpenAPI
// schema (schema.d.ts: `npm run api-types`; docs/api.md). Answers carry every field their serializer
// declares, so the answer shapes are Required<> of the schema's (which leaves fields with defaults optional).

import type { components } from "./schema";

type Schemas = components["schemas"];

export type Status = Schemas["StatusEnum"];
export type Priority = Schemas["PriorityEnum"];

export const STATUSES: Status[] = ["todo", "in_progress", "done"];
export const PRIORITIES: Priority[] = ["none", "low", "medium", "high", "urgent"];
export const STATUS_NAMES: Record<Status, string> = { todo: "To do", in_progress: "In progress", done: "Done" };

export type User = Required<Schemas["User"]>;
export type Label = Required<Schemas["Label"]>;
export type Task = Required<Schemas["Task"]>;
export type TrashedTask = Required<Schemas["TrashedTask"]>;
export type Session = Required<Schemas["Session"]>;
// The schema types `changes` (a JSONField) as any JSON; the history always writes an object of changed fields.
export type TaskEvent = Required<Schemas["TaskEvent"]> & { changes: Record<string, unknown> };

/** What the app sends to create a task, and (every field optional) to change one. */
export type TaskInput = Schemas["TaskRequest"];
export type TaskChanges = Schemas["PatchedTaskRequest"];
export type TaskMove = Schemas["TaskMoveRequest"];

/** One page of a cursor-paginated list (TaskPage, LabelPage, TrashPage, TaskEventPage). */
export type Page<T> = Omit<Schemas["TaskPage"], "results"> & { results: T[] };

export type ErrorBody = Schemas["Error"];
