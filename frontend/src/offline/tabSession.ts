// Tabs of one browser share the refresh cookie, and the server ends a session whose rotated-away refresh
// token comes back. So refreshes take turns under a Web Lock: the tab holding it refreshes and tells
// the others the new access token over a BroadcastChannel; a tab that waited for the lock and finds a
// refresh finished after it asked (or moments before) takes that result instead of sending the cookie again.
// The message and the lock's release may reach a tab in either order, so a tab that waited for the lock (or
// finds the time of a refresh the refreshing tab notes in localStorage: a time, never a token) waits a
// moment for the message.

import type { Locks } from "./locks";

export type TabMessage =
  { type: "refreshed"; access: string; at: number } | { type: "refresh-failed"; at: number } | { type: "signed-out"; at: number };

/** The part of BroadcastChannel used here. */
export interface Channel {
  postMessage(message: TabMessage): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}

const LOCK = "tms-refresh";
const CHANNEL = "tms-session";
const REFRESHED_AT = "tms.refreshedAt";
/** How long a tab waits for the message of a refresh it knows finished. */
const MESSAGE_WAIT_MS = 1000;
/** A refresh this recent, by any tab, answers a tab that asks now: its 401 crossed the other's refresh. */
const RECENT_MS = 3000;

function isMessage(data: unknown): data is TabMessage {
  const type = (data as TabMessage | null)?.type;
  return type === "refreshed" || type === "refresh-failed" || type === "signed-out";
}

export interface TabSessionOptions {
  locks: Locks | null;
  channel: Channel | null;
  storage?: () => Storage | undefined;
  now?: () => number;
}

export class TabSession {
  /** The last refresh any tab finished: its access token (null: refused) and when. */
  private last: { access: string | null; at: number } | null = null;
  private readonly listeners = new Set<(message: TabMessage) => void>();
  private readonly locks: Locks | null;
  private readonly channel: Channel | null;
  private readonly storage: () => Storage | undefined;
  private readonly now: () => number;

  constructor(options: TabSessionOptions) {
    this.locks = options.locks;
    this.channel = options.channel;
    this.storage = options.storage ?? (() => globalThis.localStorage);
    this.now = options.now ?? (() => Date.now());
    this.channel?.addEventListener("message", (event) => {
      if (!isMessage(event.data)) return;
      const message = event.data;
      if (message.type === "refreshed") this.last = { access: message.access, at: message.at };
      else if (message.type === "refresh-failed") this.last = { access: null, at: message.at };
      for (const listener of this.listeners) listener(message);
    });
  }

  /** Hear what the other tabs did (a refresh, a sign-out). */
  listen(listener: (message: TabMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Run `refresh` (the cookie exchange: a new access token, or null when refused) in turn with the other tabs.
   * `current` is the access token the caller holds (refused, or none): a result that is the same is no answer. */
  refresh(refresh: () => Promise<string | null>, current: string | null = null): Promise<string | null> {
    if (!this.locks) return refresh();
    const asked = this.now();
    return this.locks.request(LOCK, async (waited) => {
      // A refresh that finished after this tab asked (it held the lock meanwhile), or (for a tab whose token
      // was just refused) moments before: its message is on its way if it is not here yet. A tab starting up
      // has no such message coming. localStorage reaches other tabs late at times, hence `waited` too.
      const finished = Number(this.storage()?.getItem(REFRESHED_AT) ?? 0);
      const since = waited || finished >= asked ? asked : asked - RECENT_MS;
      const coming = waited || finished >= asked || (finished >= since && current !== null);
      const heard = coming ? await this.message(since) : this.since(since);
      if (heard && heard.access !== current) return heard.access;
      const access = await refresh();
      const at = this.now();
      this.last = { access, at };
      this.channel?.postMessage(access ? { type: "refreshed", access, at } : { type: "refresh-failed", at });
      this.storage()?.setItem(REFRESHED_AT, String(at));
      return access;
    });
  }

  private since(asked: number): { access: string | null } | null {
    return this.last && this.last.at >= asked ? this.last : null;
  }

  /** The result of a refresh a tab finished after `asked`, once its message is here (or null after a wait). */
  private message(asked: number): Promise<{ access: string | null } | null> {
    const now = this.since(asked);
    if (now || !this.channel) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = (result: { access: string | null } | null) => {
        clearTimeout(timer);
        stop();
        resolve(result);
      };
      const timer = setTimeout(() => done(this.since(asked)), MESSAGE_WAIT_MS);
      const stop = this.listen(() => {
        const result = this.since(asked);
        if (result) done(result);
      });
    });
  }

  /** Tell the other tabs this browser signed out. */
  signedOut(): void {
    this.last = null;
    this.channel?.postMessage({ type: "signed-out", at: this.now() });
  }
}

/** This browser's channel between tabs, or null where BroadcastChannel is missing. */
export function browserChannel(): Channel | null {
  if (typeof BroadcastChannel === "undefined") return null;
  return new BroadcastChannel(CHANNEL) as unknown as Channel;
}
