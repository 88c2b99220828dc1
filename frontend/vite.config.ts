import react from "@vitejs/plugin-react";
import { VitePWA } from "vite-plugin-pwa";
import { defineConfig } from "vitest/config";

// Installable, and the app shell loads without a network. The service worker is src/sw.ts (injectManifest: the
// plugin builds it and gives it the list of built files to precache): it precaches the built files only, answers
// every page of the app with index.html, and shows push notifications. autoUpdate: a new version takes over on the
// next load with no prompt to wire into the UI. The registration is a file (registerSW.js), as the CSP allows no
// inline script; the plugin also adds the manifest's <link> to index.html.
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
  strategies: "injectManifest",
  srcDir: "src",
  filename: "sw.ts",
  injectManifest: {
    globPatterns: ["**/*.{js,css,html,woff2}"],
  },
});

// Vitest runs in mode "test": no service worker there.
export default defineConfig(({ mode }) => ({
  plugins: [react(), ...(mode === "test" ? [] : [pwa])],
  build: { outDir: "dist", sourcemap: false, assetsDir: "assets" },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
  test: { globals: true, environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"], setupFiles: ["src/test-setup.ts"] },
}));
