// Web Push on this device: the browser's subscription (made with the server's VAPID key), registered with TMS so it
// can send reminders here, and removed again. The service worker (src/sw.ts) shows what arrives.
import { notificationsApi, type PushSubscriptionBody } from "./api";

export type PushState = "unsupported" | "denied" | "off" | "on";

/** Whether this browser can receive push at all (service workers, the Push API, notifications). */
export function pushSupported(): boolean {
  return (
    typeof navigator !== "undefined" &&
    "serviceWorker" in navigator &&
    typeof window !== "undefined" &&
    "PushManager" in window &&
    "Notification" in window
  );
}

/** A base64url key (the VAPID public key) as the bytes pushManager.subscribe takes. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  const text = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The app's service worker registration, or null (none yet: a development server, or a first visit still installing). */
async function registration(): Promise<ServiceWorkerRegistration | null> {
  const found = await navigator.serviceWorker.getRegistration();
  if (!found) return null;
  // Installed but not yet active: wait for it, a few seconds at most.
  const ready = navigator.serviceWorker.ready;
  const late = new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000));
  return (await Promise.race([ready, late])) ?? found;
}

export async function pushState(): Promise<PushState> {
  if (!pushSupported()) return "unsupported";
  if (Notification.permission === "denied") return "denied";
  const reg = await registration();
  const subscription = await reg?.pushManager.getSubscription();
  return subscription ? "on" : "off";
}

export class PushError extends Error {
  readonly reason: "denied" | "no-worker";
  constructor(reason: "denied" | "no-worker") {
    super(reason);
    this.reason = reason;
  }
}

function body(subscription: PushSubscription): PushSubscriptionBody {
  const json = subscription.toJSON();
  return { endpoint: subscription.endpoint, keys: { p256dh: json.keys?.p256dh ?? "", auth: json.keys?.auth ?? "" } };
}

/** Ask for permission, subscribe this browser with the server's key, and register the subscription with TMS. */
export async function enablePush(publicKey: string): Promise<void> {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new PushError("denied");
  const reg = await registration();
  if (!reg) throw new PushError("no-worker");
  const subscription =
    (await reg.pushManager.getSubscription()) ??
    (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
  try {
    await notificationsApi().subscribe(body(subscription));
  } catch (error) {
    // Not registered with TMS: no subscription is left behind that nothing would ever send to.
    await subscription.unsubscribe().catch(() => undefined);
    throw error;
  }
}

/** Remove this browser's subscription from TMS, then from the browser. */
export async function disablePush(): Promise<void> {
  const reg = await registration();
  const subscription = await reg?.pushManager.getSubscription();
  if (!subscription) return;
  await notificationsApi().unsubscribe(subscription.endpoint);
  await subscription.unsubscribe();
}
