// Task writes made without a network wait here (in localStorage, per person) and are sent in order
// once the browser is back online. A create carries its Idempotency-Key, so sending it again (the first
// try may have reached the server) never makes a second task; an edit carries the If-Match it was made
// on, and a 412 keeps it as a conflict instead of overwriting someone else's change.

import type { Page, Task, TaskChanges, TaskInput } from "../api/types";
import { translatable } from "../i18n";
import type { Locks } from "./locks";
import { overlay, provisionalTask, withChanges, type PendingCreate, type PendingTask } from "./overlay";

export type QueuedWrite =
  | { kind: "create"; seq: number; taskId: number; body: TaskInput; idempotencyKey: string; queuedAt: string }
  | { kind: "edit"; seq: number; taskId: number; body: TaskChanges; ifMatch: string | null; queuedAt: string };

/** A write the server refused when it was sent: kept, with the task as it is now when there is one. */
export interface Conflict {
  write: QueuedWrite;
  status: number;
  code: string;
  message: string;
  /** The server's task at the time (after a 412: the change someone else made), or null. */
  current: Task | null;
}

export interface QueueState {
  /** Writes not sent yet, oldest first. */
  writes: QueuedWrite[];
  pending: number;
  conflicts: Conflict[];
}

export type QueueListener = (state: QueueState) => void;

/** How the queue sends: the API client's request, which throws an error with the HTTP status (0 offline). */
export type Send = <T>(method: string, path: string, body: unknown, headers: Record<string, string>) => Promise<T>;

interface Stored {
  writes: QueuedWrite[];
  conflicts: Conflict[];
  next: number;
  /** Provisional id -> the task the server made, for later writes that name it. */
  created: Record<string, { id: number; version: number }>;
  /** Task id -> the If-Match its queued edits were made on, and the version our sent edits made of it. */
  versions: Record<string, { from: string | null; to: string }>;
}

interface Failure {
  status: number;
  code: string;
  message: string;
}

function isFailure(error: unknown): error is Failure {
  return typeof error === "object" && error !== null && typeof (error as Failure).status === "number" && "code" in error;
}

/** Failures worth trying again later rather than keeping as a conflict. */
function transient(error: Failure): boolean {
  return (
    error.status === 0 || error.status === 401 || error.status === 429 || error.status >= 500 || error.code === "idempotency_key_in_use"
  );
}

const PREFIX = "tms.offlineQueue:";
const empty = (): Stored => ({ writes: [], conflicts: [], next: 1, created: {}, versions: {} });

export interface OfflineQueueOptions {
  storage?: () => Storage | undefined;
  locks?: Locks | null;
  now?: () => Date;
}

export class OfflineQueue {
  private user: string | null = null;
  private send: Send | null = null;
  private flushing: Promise<void> | null = null;
  private readonly listeners = new Set<QueueListener>();
  private readonly storage: () => Storage | undefined;
  private readonly locks: Locks | null;
  private readonly now: () => Date;

  constructor(options: OfflineQueueOptions = {}) {
    this.storage = options.storage ?? (() => globalThis.localStorage);
    this.locks = options.locks ?? null;
    this.now = options.now ?? (() => new Date());
  }

  /** Whose queue this is (null: nobody signed in) and how to send it. */
  use(user: string | null, send: Send): void {
    if (user === this.user && send === this.send) return;
    this.user = user;
    this.send = send;
    this.notify();
  }

  get state(): QueueState {
    const { writes, conflicts } = this.read();
    return { writes, pending: writes.length, conflicts };
  }

  /** Hear of every change: called at once with the state now. Returns the unsubscribe. */
  subscribe(listener: QueueListener): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  /** Another tab changed the stored queue. */
  changedElsewhere(key: string | null): void {
    if (key === null || key === this.key()) this.notify();
  }

  /** Queue a create; the answer is the provisional task (negative id, pending: true). */
  create(body: TaskInput, idempotencyKey: string): PendingTask {
    const data = this.read();
    const seq = data.next;
    const at = this.now().toISOString();
    data.writes.push({ kind: "create", seq, taskId: -seq, body, idempotencyKey, queuedAt: at });
    data.next += 1;
    this.write(data);
    return provisionalTask(-seq, body, at);
  }

  /** Queue an edit of a task (a provisional one too); the answer is `base` with the change on it. */
  edit(
    taskId: number,
    body: TaskChanges,
    ifMatch: string | null,
    base: Task | null,
  ): PendingTask | (TaskChanges & { id: number; pending: true }) {
    const data = this.read();
    const seq = data.next;
    data.writes.push({ kind: "edit", seq, taskId, body, ifMatch: taskId < 0 ? null : ifMatch, queuedAt: this.now().toISOString() });
    data.next += 1;
    this.write(data);
    const shown = base ?? this.pendingCreates(data).find(({ task }) => task.id === taskId)?.task ?? null;
    return shown ? withChanges(shown, body) : { ...body, id: taskId, pending: true };
  }

  /** A task list page with the unsent creates and edits on it. */
  overlay(page: Page<Task>, path: string): Page<Task> {
    if (!this.user) return page;
    const data = this.read();
    if (data.writes.length === 0) return page;
    const edits = new Map<number, TaskChanges[]>();
    for (const write of data.writes) if (write.kind === "edit") edits.set(write.taskId, [...(edits.get(write.taskId) ?? []), write.body]);
    return overlay(page, path, this.pendingCreates(data), edits, this.user);
  }

  /** Forget a conflict (the person kept the server's version, or re-applied their change). */
  dismiss(conflict: Conflict): void {
    const data = this.read();
    data.conflicts = data.conflicts.filter((c) => c.write.seq !== conflict.write.seq);
    this.write(data);
  }

  /** Drop this person's unsent writes and conflicts. */
  clear(): void {
    const key = this.key();
    if (key) this.storage()?.removeItem(key);
    this.notify();
  }

  /** Send the queued writes in order; stops at the first that cannot go yet (offline, server down). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    const user = this.user;
    const send = this.send;
    if (!user || !send || this.read().writes.length === 0) return Promise.resolve();
    // One tab at a time: another tab sending the same stored edit again would meet its own 412.
    const run = () => this.replay(user, send);
    this.flushing = (this.locks ? this.locks.request("tms-offline-queue", run) : run()).finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async replay(user: string, send: Send): Promise<void> {
    for (;;) {
      if (this.user !== user) return;
      const data = this.read();
      const write = data.writes[0];
      if (!write) return;
      try {
        if (write.kind === "create") {
          const task = await send<Task>("POST", "/api/tasks/", write.body, { "Idempotency-Key": write.idempotencyKey });
          this.settle(user, write, (after) => {
            after.created[String(write.taskId)] = { id: task.id, version: task.version };
          });
        } else {
          const target = this.target(data, write);
          if (target === null) {
            this.settle(user, write, undefined, {
              status: 404,
              code: "not_created",
              message: translatable("This task no longer exists, or you no longer have access to it."),
              current: null,
            });
            continue;
          }
          const headers: Record<string, string> = target.ifMatch ? { "If-Match": target.ifMatch } : {};
          const task = await send<Task>("PATCH", `/api/tasks/${target.id}/`, write.body, headers);
          this.settle(user, write, (after) => {
            const created = after.created[String(write.taskId)];
            if (created) created.version = task.version;
            else after.versions[String(target.id)] = { from: write.ifMatch, to: `"${task.version}"` };
          });
        }
      } catch (error) {
        if (!isFailure(error) || transient(error)) return;
        const current = await this.current(send, write, data);
        this.settle(user, write, undefined, { status: error.status, code: error.code, message: error.message, current });
      }
    }
  }

  /** Where a queued edit goes and which If-Match it carries, after the writes sent before it. */
  private target(data: Stored, write: Extract<QueuedWrite, { kind: "edit" }>): { id: number; ifMatch: string | null } | null {
    if (write.taskId < 0) {
      const created = data.created[String(write.taskId)];
      return created ? { id: created.id, ifMatch: `"${created.version}"` } : null;
    }
    // Our own earlier edit of this task moved its version on; the next one made on the same version follows it.
    const chain = data.versions[String(write.taskId)];
    return { id: write.taskId, ifMatch: chain && chain.from === write.ifMatch ? chain.to : write.ifMatch };
  }

  private async current(send: Send, write: QueuedWrite, data: Stored): Promise<Task | null> {
    const id = write.taskId < 0 ? data.created[String(write.taskId)]?.id : write.taskId;
    if (write.kind !== "edit" || id === undefined) return null;
    try {
      return await send<Task>("GET", `/api/tasks/${id}/`, undefined, {});
    } catch {
      return null;
    }
  }

  /** Take a sent (or refused) write off the queue, re-reading the store: another tab may have added to it. */
  private settle(user: string, write: QueuedWrite, update?: (data: Stored) => void, conflict?: Omit<Conflict, "write">): void {
    const data = this.read(user);
    data.writes = data.writes.filter((w) => w.seq !== write.seq);
    update?.(data);
    if (conflict) data.conflicts.push({ write, ...conflict });
    // A provisional id may still be on screen after its create went, so its mapping outlives the queue a while.
    const created = Object.entries(data.created);
    if (created.length > 100) data.created = Object.fromEntries(created.slice(-100));
    if (data.writes.length === 0) data.versions = {};
    this.write(data, user);
  }

  private pendingCreates(data: Stored): PendingCreate[] {
    return data.writes.flatMap((write) =>
      write.kind === "create" ? [{ task: provisionalTask(write.taskId, write.body, write.queuedAt), input: write.body }] : [],
    );
  }

  private key(user = this.user): string | null {
    return user === null ? null : PREFIX + user;
  }

  private read(user = this.user): Stored {
    const key = this.key(user);
    const text = key ? this.storage()?.getItem(key) : null;
    if (!text) return empty();
    try {
      return { ...empty(), ...(JSON.parse(text) as Partial<Stored>) };
    } catch {
      return empty();
    }
  }

  private write(data: Stored, user = this.user): void {
    const key = this.key(user);
    if (!key) return;
    this.storage()?.setItem(key, JSON.stringify(data));
    if (user === this.user) this.notify();
  }

  private notify(): void {
    const state = this.state;
    for (const listener of this.listeners) listener(state);
  }
}
