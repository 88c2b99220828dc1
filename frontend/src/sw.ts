// The app's service worker (vite-plugin-pwa builds it with the list of built files): the app shell precached so it
// opens without a network, every page of the app answered with index.html, and push notifications shown. API answers
// carry one person's data and an Authorization header, so it never caches them (the task pages last seen live in
// src/offline/lastSeen, emptied on sign-out). A new version takes over at once (autoUpdate): open pages keep running
// and load it next time; unsent writes wait in localStorage, so nothing is lost by it.
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { notificationOptions, openApp, payloadOf, type ClientsLike } from "./features/notifications/swPush";

// The worker's own scope, typed by hand: the app's TypeScript lib is the DOM's, not the WebWorker one.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface PushEvent extends ExtendableEvent {
  data: { json(): unknown; text(): string } | null;
}
interface NotificationEvent extends ExtendableEvent {
  notification: Notification & { data: { url?: string } | null };
}
interface WorkerScope {
  __WB_MANIFEST: Array<{ url: string; revision: string | null } | string>;
  location: Location;
  registration: ServiceWorkerRegistration;
  clients: ClientsLike;
  skipWaiting(): Promise<void>;
  addEventListener(type: "push", listener: (event: PushEvent) => void): void;
  addEventListener(type: "notificationclick", listener: (event: NotificationEvent) => void): void;
}
declare const self: WorkerScope;

void self.skipWaiting();
clientsClaim();
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The API, the admin and the API docs are the server's own pages, never the app's.
registerRoute(new NavigationRoute(createHandlerBoundToURL("/index.html"), { denylist: [/^\/api\//, /^\/admin\//, /^\/static\//] }));

self.addEventListener("push", (event) => {
  const payload = payloadOf(event.data);
  event.waitUntil(self.registration.showNotification(payload.title, notificationOptions(payload, self.location.origin)));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = event.notification.data?.url ?? `${self.location.origin}/`;
  event.waitUntil(openApp(self.clients, url, self.location.origin));
});
