// Shapes of the TMS API under the names the app uses, taken from the types generated from the OpenAPI
// schema (schema.d.ts: `npm run api-types`; docs/api.md). Answers carry every field their serializer
// declares, so the answer shapes are Required<> of the schema's (which leaves fields with defaults optional).

import type { components } from "./schema";
import { translatable } from "../i18n";

type Schemas = components["schemas"];

export type Status = Schemas["StatusEnum"];
export type Priority = Schemas["PriorityEnum"];

export const STATUSES: Status[] = ["todo", "in_progress", "done"];
export const PRIORITIES: Priority[] = ["none", "low", "medium", "high", "urgent"];
export const STATUS_NAMES: Record<Status, string> = {
  todo: translatable("To do"),
  in_progress: translatable("In progress"),
  done: translatable("Done"),
};
export const PRIORITY_NAMES: Record<Priority, string> = {
  none: translatable("No priority"),
  low: translatable("Low"),
  medium: translatable("Medium"),
  high: translatable("High"),
  urgent: translatable("Urgent"),
};

export type User = Required<Schemas["User"]>;
export type Label = Required<Schemas["Label"]>;

export type UserRef = Required<Schemas["UserRef"]>;
export type Project = Required<Schemas["Project"]>;
export type TrashedProject = Required<Schemas["TrashedProject"]>;
/** A role in a project, the caller's (Project.role) or a member's. */
export type Role = Project["role"];
export type Member = Required<Schemas["Member"]>;
/** Who to add to a project (a username or an e-mail address) and the role they get. */
export type Invite = Required<Schemas["MemberAddRequest"]>;
/** The answer to an invitation by e-mail address. */
export type InviteSent = Schemas["InviteSent"];
export type Comment = Required<Schemas["Comment"]>;
export type Task = Required<Schemas["Task"]>;
export type TrashedTask = Required<Schemas["TrashedTask"]>;
export type Session = Required<Schemas["Session"]>;
// The schema types `changes` (a JSONField) as any JSON; the history always writes an object of changed fields.
export type TaskEvent = Required<Schemas["TaskEvent"]> & { changes: Record<string, unknown> };

/** What the app sends to create a task, and (every field optional) to change one. */
export type TaskInput = Schemas["TaskRequest"];
export type TaskChanges = Schemas["PatchedTaskRequest"];
export type TaskMove = Schemas["TaskMoveRequest"];

/** One page of a cursor-paginated list (TaskPage, LabelPage, TrashPage, TaskEventPage, ProjectPage, MemberPage, CommentPage). */
export type Page<T> = Omit<Schemas["TaskPage"], "results"> & { results: T[] };

export type ErrorBody = Schemas["Error"];

export type Stats = Required<Schemas["Stats"]>;
export type BulkRequest = Schemas["BulkRequest"];
export type BulkResult = Schemas["BulkResult"];
export type ExportFile = Schemas["ExportFile"];
export type ImportRequest = Schemas["ImportRequest"];
export type ImportResult = Schemas["ImportResult"];
