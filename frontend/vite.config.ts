import react from "@vitejs/plugin-react";
import { VitePWA } from "vite-plugin-pwa";
import { defineConfig } from "vitest/config";

// Installable, and the app shell loads without a network. The service worker precaches the built files
// only: API answers carry one person's data and an Authorization header, so it never caches them (the
// task pages last seen live in src/offline/lastSeen, emptied on sign-out). autoUpdate: a new version
// takes over on the next load with no prompt to wire into the UI; unsent writes wait in localStorage,
// so nothing is lost by it. The registration is a file (registerSW.js), as the CSP allows no inline
// script; the plugin also adds the manifest's <link> to index.html.
const pwa = VitePWA({
  registerType: "autoUpdate",
  injectRegister: "script",
  includeAssets: ["apple-touch-icon.png"],
  manifest: {
    name: "TMS",
    short_name: "TMS",
    description: "Tasks, projects and boards.",
    start_url: "/",
    scope: "/",
    display: "standalone",
    background_color: "#f6f7f9",
    theme_color: "#1d4ed8",
    icons: [
      { src: "/favicon.svg", sizes: "any", type: "image/svg+xml" },
      { src: "/icon-192.png", sizes: "192x192", type: "image/png" },
      { src: "/icon-512.png", sizes: "512x512", type: "image/png" },
      { src: "/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
  },
  workbox: {
    globPatterns: ["**/*.{js,css,html,woff2}"],
    // autoUpdate: the new worker takes over at once; open pages keep running and load the new version next time.
    skipWaiting: true,
    clientsClaim: true,
    navigateFallback: "/index.html",
    // The API, the admin and the API docs are the server's own pages, never the app's.
    navigateFallbackDenylist: [/^\/api\//, /^\/admin\//, /^\/static\//],
    cleanupOutdatedCaches: true,
    runtimeCaching: [],
  },
});

// Vitest runs in mode "test": no service worker there.
export default defineConfig(({ mode }) => ({
  plugins: [react(), ...(mode === "test" ? [] : [pwa])],
  build: { outDir: "dist", sourcemap: false, assetsDir: "assets" },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
  test: { globals: true, environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"], setupFiles: ["src/test-setup.ts"] },
}));
