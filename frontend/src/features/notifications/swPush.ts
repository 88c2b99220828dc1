// What the service worker does with a push message and a click on its notification (src/sw.ts wires it in): the
// server sends JSON {title, body, url, tag}; the notification opens `url` in this app, focusing a window of it when
// one is open. Kept apart from the worker so it can be tested.

export interface PushPayload {
  title: string;
  body: string;
  url: string;
  tag?: string;
}

/** The payload of a push message, or a plain notice when it is not the JSON the server sends. */
export function payloadOf(data: { json(): unknown; text(): string } | null): PushPayload {
  let raw: unknown = null;
  try {
    raw = data?.json() ?? null;
  } catch {
    raw = null;
  }
  const fields = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  return {
    title: text(fields.title) || "TMS",
    body: text(fields.body),
    url: text(fields.url) || "/",
    tag: text(fields.tag) || undefined,
  };
}

/** `url` as an address of this app (a path of `origin`); anything pointing elsewhere opens the app's start page. */
export function appUrl(url: string, origin: string): string {
  try {
    const parsed = new URL(url, origin);
    return parsed.origin === origin ? parsed.href : `${origin}/`;
  } catch {
    return `${origin}/`;
  }
}

export function notificationOptions(payload: PushPayload, origin: string): NotificationOptions {
  return {
    body: payload.body,
    tag: payload.tag,
    icon: "/icon-192.png",
    badge: "/icon-192.png",
    data: { url: appUrl(payload.url, origin) },
  };
}

interface WindowLike {
  url: string;
  focus(): Promise<unknown>;
  navigate?(url: string): Promise<unknown>;
}

export interface ClientsLike {
  matchAll(options: { type: "window"; includeUncontrolled: boolean }): Promise<readonly WindowLike[]>;
  openWindow(url: string): Promise<unknown>;
}

/** Focus a window of the app already showing `url`, else take one of its windows there, else open a new one. */
export async function openApp(clients: ClientsLike, url: string, origin: string): Promise<void> {
  const windows = (await clients.matchAll({ type: "window", includeUncontrolled: true })).filter((w) => w.url.startsWith(`${origin}/`));
  const same = windows.find((w) => w.url === url);
  if (same) {
    await same.focus();
    return;
  }
  const any = windows.find((w) => typeof w.navigate === "function");
  if (any?.navigate) {
    await any.focus();
    await any.navigate(url);
    return;
  }
  await clients.openWindow(url);
}
