import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderInApp } from "../../test-app";
import { apiError, respond, stubRoutes } from "../../test-support";
import type { Delivery, Webhook } from "./api";
import { DeliveriesPage } from "./DeliveriesPage";
import { WebhooksPage } from "./WebhooksPage";

afterEach(() => vi.unstubAllGlobals());

const SECRET = "whsec_" + "B".repeat(32);

function hook(fields: Partial<Webhook> = {}): Webhook {
  return {
    id: 3,
    url: "https://ci.example.com/tms",
    description: "Build on new tasks",
    events: ["task.created", "task.completed"],
    is_active: true,
    disabled_at: null,
    disabled_reason: "",
    consecutive_failures: 0,
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-20T10:00:00Z",
    ...fields,
  };
}

function delivery(fields: Partial<Delivery> = {}): Delivery {
  return {
    id: 50,
    message_id: "msg_50",
    event: "task.created",
    state: "succeeded",
    attempts: 1,
    created_at: "2026-11-26T09:00:00Z",
    next_attempt_at: null,
    finished_at: "2026-11-26T09:00:01Z",
    last_status_code: 200,
    last_error: "",
    payload: { type: "task.created", timestamp: "2026-11-26T09:00:00Z", data: { id: 1, title: "Water the plants" } },
    ...fields,
  };
}

/** The API with a list of endpoints that creates, edits and deletes change. */
function hookApi(start: Webhook[] = []) {
  let live = [...start];
  return stubRoutes({
    "GET /api/tasks/webhooks/": () => respond(200, live),
    "POST /api/tasks/webhooks/": (body) => {
      const made = hook({ id: 4, ...(body as Partial<Webhook>) });
      live = [...live, made];
      return respond(201, { ...made, secret: SECRET });
    },
    "PATCH /api/tasks/webhooks/3/": (body) => {
      const changes = body as Partial<Webhook>;
      live = live.map((h) =>
        h.id === 3
          ? { ...h, ...changes, ...(changes.is_active ? { disabled_at: null, disabled_reason: "", consecutive_failures: 0 } : {}) }
          : h,
      );
      return respond(
        200,
        live.find((h) => h.id === 3),
      );
    },
    "DELETE /api/tasks/webhooks/3/": () => {
      live = live.filter((h) => h.id !== 3);
      return respond(204);
    },
    "POST /api/tasks/webhooks/3/ping/": respond(202, delivery({ id: 60, event: "webhook.ping", state: "pending" })),
  });
}

describe("webhooks", () => {
  it("creates a webhook with grouped events and shows its secret once", async () => {
    const api = hookApi();
    renderInApp(<WebhooksPage />);
    await userEvent.click(await screen.findByRole("button", { name: "New webhook" }));
    const dialog = screen.getByRole("dialog", { name: "New webhook" });
    const url = within(dialog).getByLabelText("URL");
    await userEvent.clear(url);
    await userEvent.type(url, "https://hooks.example.com/in");
    await userEvent.type(within(dialog).getByLabelText("Description (optional)"), "Chat");
    for (const group of ["Tasks", "Comments", "Projects"]) expect(within(dialog).getByRole("group", { name: group })).toBeInTheDocument();
    // The defaults: created, updated, completed. Take updated away, add a comment and a member.
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Tasks: updated" }));
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Comments: created" }));
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Projects: member added" }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Create webhook" }));

    const secret = await screen.findByRole("textbox", { name: "Signing secret of https://hooks.example.com/in" });
    expect(secret).toHaveValue(SECRET);
    expect(screen.getByText("Copy it now. You will not see it again.")).toBeInTheDocument();
    expect(api.calls("POST", "/api/tasks/webhooks/")[0].body).toEqual({
      url: "https://hooks.example.com/in",
      description: "Chat",
      events: ["task.created", "task.completed", "comment.created", "project.member_added"],
    });
    const row = await screen.findByRole("article", { name: "https://hooks.example.com/in" });
    expect(within(row).getByText("Active")).toBeInTheDocument();
    expect(within(row).getByText("comment.created")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Done, I have copied it" }));
    expect(document.body.textContent).not.toContain(SECRET);
    expect(screen.queryByDisplayValue(SECRET)).not.toBeInTheDocument();
  });

  it("shows the API's objection to the address by the URL field", async () => {
    stubRoutes({
      "GET /api/tasks/webhooks/": respond(200, []),
      "POST /api/tasks/webhooks/": apiError(400, "invalid", "Some fields are not valid.", {
        url: ["The address must be https and must not point at a private network."],
      }),
    });
    renderInApp(<WebhooksPage />);
    await userEvent.click(await screen.findByRole("button", { name: "New webhook" }));
    const dialog = screen.getByRole("dialog", { name: "New webhook" });
    await userEvent.type(within(dialog).getByLabelText("URL"), "192.168.1.2/hook");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create webhook" }));
    const field = within(dialog).getByLabelText("URL").closest(".field") as HTMLElement;
    expect(await within(field).findByText("The address must be https and must not point at a private network.")).toBeInTheDocument();
    expect(screen.queryByRole("textbox", { name: /Signing secret/ })).not.toBeInTheDocument();
  });

  it("shows a disabled webhook's reason and enables it again", async () => {
    const api = hookApi([
      hook({
        is_active: false,
        disabled_at: "2026-11-26T12:00:00Z",
        disabled_reason: "15 deliveries in a row failed.",
        consecutive_failures: 15,
      }),
    ]);
    renderInApp(<WebhooksPage />);
    const row = await screen.findByRole("article", { name: "https://ci.example.com/tms" });
    expect(within(row).getByText("Disabled")).toBeInTheDocument();
    expect(within(row).getByText(/15 deliveries in a row failed\./)).toBeInTheDocument();
    expect(within(row).getByText("Failed deliveries in a row: 15")).toBeInTheDocument();
    await userEvent.click(within(row).getByRole("button", { name: "Enable again" }));
    expect(await within(row).findByText("Active")).toBeInTheDocument();
    expect(within(row).queryByText(/Failed deliveries/)).not.toBeInTheDocument();
    expect(api.calls("PATCH", "/api/tasks/webhooks/3/")[0].body).toEqual({ is_active: true });
  });

  it("edits the events and the description, and switches a webhook off", async () => {
    const api = hookApi([hook()]);
    renderInApp(<WebhooksPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Edit the webhook to https://ci.example.com/tms" }));
    const dialog = screen.getByRole("dialog", { name: "Edit webhook" });
    expect(within(dialog).getByRole("checkbox", { name: "Tasks: created" })).toBeChecked();
    expect(within(dialog).getByRole("checkbox", { name: "Tasks: updated" })).not.toBeChecked();
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Tasks: deleted" }));
    await userEvent.clear(within(dialog).getByLabelText("Description (optional)"));
    await userEvent.type(within(dialog).getByLabelText("Description (optional)"), "CI");
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Active: events are sent" }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(api.calls("PATCH", "/api/tasks/webhooks/3/")[0].body).toEqual({
      url: "https://ci.example.com/tms",
      description: "CI",
      events: ["task.created", "task.completed", "task.deleted"],
      is_active: false,
    });
    const row = await screen.findByRole("article", { name: "https://ci.example.com/tms" });
    expect(await within(row).findByText("Disabled")).toBeInTheDocument();
    expect(within(row).getByText("task.deleted")).toBeInTheDocument();
  });

  it("sends a test event", async () => {
    const api = hookApi([hook()]);
    renderInApp(<WebhooksPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Send test event" }));
    expect(await screen.findByText("A test event is on its way to https://ci.example.com/tms.")).toBeInTheDocument();
    expect(api.calls("POST", "/api/tasks/webhooks/3/ping/")).toHaveLength(1);
  });

  it("deletes a webhook after asking", async () => {
    const api = hookApi([hook()]);
    renderInApp(<WebhooksPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Delete the webhook to https://ci.example.com/tms" }));
    const confirm = screen.getByRole("dialog", { name: "Delete the webhook to https://ci.example.com/tms?" });
    await userEvent.click(within(confirm).getByRole("button", { name: "Delete the webhook" }));
    expect(await screen.findByText("You have no webhooks.")).toBeInTheDocument();
    expect(api.calls("DELETE", "/api/tasks/webhooks/3/")).toHaveLength(1);
  });

  it("offers no new webhook at the limit of ten", async () => {
    hookApi(Array.from({ length: 10 }, (_, i) => hook({ id: 100 + i, url: `https://h${i}.example.com/` })));
    renderInApp(<WebhooksPage />);
    expect(await screen.findByText(/You have the most webhooks an account can have/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "New webhook" })).toBeDisabled();
  });
});

describe("a webhook's deliveries", () => {
  const renderDeliveries = () =>
    renderInApp(
      <Routes>
        <Route path="/settings/webhooks/:id" element={<DeliveriesPage />} />
      </Routes>,
      { route: "/settings/webhooks/3" },
    );

  it("lists deliveries newest first with their state, loads more with the cursor, and redelivers one", async () => {
    const failed = delivery({ id: 51, state: "failed", attempts: 8, last_status_code: 500, last_error: "Server error" });
    const api = stubRoutes({
      "GET /api/tasks/webhooks/3/": respond(200, hook()),
      "GET /api/tasks/webhooks/3/deliveries/": respond(200, {
        results: [failed, delivery({ id: 50, event: "webhook.ping" })],
        next: "http://localhost:3000/api/tasks/webhooks/3/deliveries/?cursor=abc",
        previous: null,
      }),
      "GET /api/tasks/webhooks/3/deliveries/?cursor=abc": respond(200, {
        results: [delivery({ id: 40, event: "task.completed", last_status_code: null, last_error: "Connection refused", state: "failed" })],
        next: null,
        previous: null,
      }),
      "POST /api/tasks/webhooks/3/deliveries/51/redeliver/": respond(202, { ...failed, state: "pending" }),
    });
    renderDeliveries();
    expect(await screen.findByText("https://ci.example.com/tms")).toBeInTheDocument();
    const list = await screen.findByRole("list", { name: "Deliveries" });
    const items = within(list).getAllByRole("article");
    expect(items).toHaveLength(2);
    expect(within(items[0]).getByText("failed")).toBeInTheDocument();
    expect(within(items[0]).getByText("task.created")).toBeInTheDocument();
    expect(within(items[0]).getByText(/Attempts: 8/)).toHaveTextContent("Attempts: 8 · Last answer: HTTP 500 · Server error");
    expect(within(items[1]).getByText("succeeded")).toBeInTheDocument();
    expect(within(items[1]).getByText("webhook.ping")).toBeInTheDocument();
    // The payload, folded away until asked for.
    const payload = within(items[0]).getByText("Payload");
    expect(within(items[0]).getByText(/"Water the plants"/)).not.toBeVisible();
    await userEvent.click(payload);
    expect(within(items[0]).getByText(/"Water the plants"/)).toBeVisible();

    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(within(list).getAllByRole("article")).toHaveLength(3));
    expect(within(list).getAllByRole("article")[2]).toHaveTextContent("Last error: Connection refused");
    expect(api.calls("GET", "/api/tasks/webhooks/3/deliveries/").map((c) => c.url)).toContain(
      "/api/tasks/webhooks/3/deliveries/?cursor=abc",
    );
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();

    await userEvent.click(within(items[0]).getByRole("button", { name: "Redeliver" }));
    expect(await screen.findByText("The delivery is sent again.")).toBeInTheDocument();
    expect(api.calls("POST", "/api/tasks/webhooks/3/deliveries/51/redeliver/")).toHaveLength(1);
  });

  it("says so for a webhook that is not there", async () => {
    stubRoutes({});
    renderDeliveries();
    expect(await screen.findByText("There is no such webhook, or it was deleted.")).toBeInTheDocument();
  });
});
