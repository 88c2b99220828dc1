import { beforeEach, describe, expect, it } from "vitest";
import { ApiClient } from "../api/client";
import { tms } from "../api/tms";
import type { Page, Task } from "../api/types";
import { makeTask } from "../test-support";
import { createLastSeen } from "./lastSeen";
import { OfflineQueue, type QueueState } from "./queue";
import { taskServer, token } from "./testing";

let online = true;

function setup(initial: Task[] = []) {
  const server = taskServer(initial);
  const queue = new OfflineQueue();
  const client = new ApiClient({ fetch: server.fetch, queue, lastSeen: createLastSeen(), online: () => online });
  client.setAccessToken(token(1));
  return { server, queue, client, api: tms(client) };
}

function offline(server: ReturnType<typeof taskServer>) {
  online = false;
  server.state.down = true;
}

function backOnline(server: ReturnType<typeof taskServer>) {
  online = true;
  server.state.down = false;
}

beforeEach(() => {
  localStorage.clear();
  online = true;
});

describe("offline task writes", () => {
  it("a create made offline answers a pending task and is sent once when the network is back", async () => {
    const { server, queue, api } = setup();
    offline(server);
    const made = await api.createTask({ title: "Buy milk", priority: "high" });
    expect(made).toMatchObject({ id: -1, title: "Buy milk", priority: "high", status: "todo", pending: true, labels: [] });
    expect(queue.state.pending).toBe(1);

    backOnline(server);
    await queue.flush();
    expect([...server.tasks.values()].map((t) => t.title)).toEqual(["Buy milk"]);
    expect(queue.state.pending).toBe(0);
  });

  it("sending a create again after its answer was lost makes no second task (same Idempotency-Key)", async () => {
    const { server, queue, api } = setup();
    server.state.lostAnswers = 1; // the POST reaches the server, the answer does not come back
    const made = await api.createTask({ title: "Once only" });
    expect(made).toMatchObject({ id: -1, pending: true });
    expect(server.tasks.size).toBe(1);

    await queue.flush();
    const posts = server.calls.filter((c) => c.method === "POST");
    expect(posts).toHaveLength(2);
    expect(posts[1].headers["Idempotency-Key"]).toBe(posts[0].headers["Idempotency-Key"]);
    expect(server.tasks.size).toBe(1);
    expect(queue.state.pending).toBe(0);
  });

  it("keeps the caller's Idempotency-Key", async () => {
    const { server, queue, client } = setup();
    offline(server);
    await client.post("/api/tasks/", { title: "Keyed" }, { "Idempotency-Key": "key-7" });
    backOnline(server);
    await queue.flush();
    expect(server.calls.at(-1)?.headers["Idempotency-Key"]).toBe("key-7");
  });

  it("an edit made offline shows on the task at once and goes with its If-Match", async () => {
    const task = makeTask({ id: 5, title: "Old", version: 3 });
    const { server, queue, api } = setup([task]);
    await api.tasks({ parent: "none" }); // seen once online
    offline(server);
    const shown = await api.updateTask(task, { title: "New" });
    expect(shown).toMatchObject({ id: 5, title: "New", version: 3, pending: true });

    backOnline(server);
    await queue.flush();
    const patch = server.calls.find((c) => c.method === "PATCH");
    expect(patch?.headers["If-Match"]).toBe('"3"');
    expect(server.tasks.get(5)).toMatchObject({ title: "New", version: 4 });
  });

  it("a 412 on replay keeps the edit as a conflict, reported to subscribers, and does not overwrite", async () => {
    const task = makeTask({ id: 5, title: "Old", version: 3 });
    const { server, queue, api } = setup([task]);
    const states: QueueState[] = [];
    queue.subscribe((state) => states.push(state));
    offline(server);
    await api.updateTask(task, { title: "Mine" });
    expect(states.at(-1)?.pending).toBe(1);
    server.tasks.set(5, { ...task, title: "Theirs", version: 4 }); // someone else's edit meanwhile

    backOnline(server);
    await queue.flush();
    expect(server.tasks.get(5)?.title).toBe("Theirs");
    expect(server.calls.filter((c) => c.method === "PATCH")).toHaveLength(1);
    const last = states.at(-1) as QueueState;
    expect(last.pending).toBe(0);
    expect(last.conflicts).toHaveLength(1);
    expect(last.conflicts[0]).toMatchObject({
      status: 412,
      code: "precondition_failed",
      write: { kind: "edit", taskId: 5, body: { title: "Mine" }, ifMatch: '"3"' },
      current: { id: 5, title: "Theirs", version: 4 },
    });

    queue.dismiss(last.conflicts[0]);
    expect(queue.state.conflicts).toEqual([]);
  });

  it("two offline edits of one task: the second follows the version the first made", async () => {
    const task = makeTask({ id: 5, version: 3 });
    const { server, queue, api } = setup([task]);
    offline(server);
    await api.updateTask(task, { title: "First" });
    await api.updateTask(task, { priority: "urgent" }); // the task shown still says version 3
    backOnline(server);
    await queue.flush();
    expect(server.calls.filter((c) => c.method === "PATCH").map((c) => c.headers["If-Match"])).toEqual(['"3"', '"4"']);
    expect(server.tasks.get(5)).toMatchObject({ title: "First", priority: "urgent", version: 5 });
    expect(queue.state.conflicts).toEqual([]);
  });

  it("an edit of a task still waiting to be created goes to the task the server made", async () => {
    const { server, queue, api } = setup();
    offline(server);
    const made = (await api.createTask({ title: "Draft" })) as Task;
    const edited = await api.updateTask(made, { title: "Final" });
    expect(edited).toMatchObject({ id: -1, title: "Final", pending: true });
    backOnline(server);
    await queue.flush();
    expect(server.calls.filter((c) => c.method !== "GET").map((c) => [c.method, c.url, c.headers["If-Match"]])).toEqual([
      ["POST", "/api/tasks/", undefined],
      ["PATCH", "/api/tasks/100/", '"1"'],
    ]);
    expect(server.tasks.get(100)?.title).toBe("Final");
  });

  it("stops at a server error and keeps the order for the next try", async () => {
    const { server, queue, api } = setup();
    offline(server);
    await api.createTask({ title: "One" });
    await api.createTask({ title: "Two" });
    backOnline(server);
    server.state.failWith = new Response("busy", { status: 503 });
    await queue.flush();
    expect(queue.state.writes.map((w) => w.kind === "create" && w.body.title)).toEqual(["One", "Two"]);
    server.state.failWith = null;
    await queue.flush();
    expect([...server.tasks.values()].map((t) => t.title)).toEqual(["One", "Two"]);
  });

  it("the queue outlives the page and belongs to one account", async () => {
    const { server, api } = setup();
    offline(server);
    await api.createTask({ title: "Before the reload" });

    const reloaded = new OfflineQueue();
    reloaded.use("1", async () => undefined as never);
    expect(reloaded.state.pending).toBe(1);
    reloaded.use("2", async () => undefined as never);
    expect(reloaded.state.pending).toBe(0);
  });

  it("sends what is left when the account signs in", async () => {
    const { server, client } = setup();
    offline(server);
    await tms(client).createTask({ title: "Left over" });
    client.setAccessToken(null);
    backOnline(server);

    const later = new ApiClient({ fetch: server.fetch, queue: new OfflineQueue(), online: () => true });
    later.setAccessToken(token(1, "next"));
    await later.queue?.flush();
    expect([...server.tasks.values()].map((t) => t.title)).toEqual(["Left over"]);
  });
});

describe("last-seen task lists", () => {
  it("offline, a list answers the page last seen with the pending creates on it", async () => {
    const { server, api } = setup([makeTask({ id: 5, title: "Seen before" })]);
    await api.tasks({ parent: "none", ordering: "position" });
    offline(server);
    await api.createTask({ title: "Made offline" });
    await api.createTask({ title: "In a project", project: 9 });
    const page = (await api.tasks({ parent: "none", ordering: "position" })) as Page<Task & { pending?: boolean }>;
    expect(page.results.map((t) => [t.title, t.pending ?? false])).toEqual([
      ["In a project", true],
      ["Made offline", true],
      ["Seen before", false],
    ]);
    const inbox = api.tasks({ project: ["inbox"], parent: "none" });
    await expect(inbox).rejects.toMatchObject({ code: "offline" }); // never seen: nothing to show
  });

  it("a project's list shows only the pending tasks made in it", async () => {
    const { server, api } = setup();
    await api.tasks({ project: ["9"], parent: "none" });
    offline(server);
    await api.createTask({ title: "Inbox one" });
    await api.createTask({ title: "Project one", project: 9 });
    const page = await api.tasks({ project: ["9"], parent: "none" });
    expect(page.results.map((t) => t.title)).toEqual(["Project one"]);
  });

  it("another account never sees them, and signing out forgets them", async () => {
    const { server, client, api } = setup([makeTask({ id: 5, title: "Private" })]);
    await api.tasks({ parent: "none" });
    offline(server);
    client.setAccessToken(token(2));
    await expect(api.tasks({ parent: "none" })).rejects.toMatchObject({ code: "offline" });

    client.setAccessToken(token(1));
    expect((await api.tasks({ parent: "none" })).results).toHaveLength(1);
    backOnline(server);
    await client.logout();
    client.setAccessToken(token(1));
    offline(server);
    await expect(api.tasks({ parent: "none" })).rejects.toMatchObject({ code: "offline" });
  });
});
