import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { setNonce } from "get-nonce";
import { App } from "./App";
import { applyTheme, storedTheme, systemTheme } from "./app/theme";
import "./i18n";
import "./styles.css";

applyTheme(storedTheme() ?? systemTheme()); // before the first paint: no flash of the other theme
// The style elements dialogs add (scroll lock) carry the page's nonce, which the Content-Security-Policy allows;
// the server puts a fresh one into index.html and its header for each response.
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content;
if (nonce && !nonce.startsWith("__")) setNonce(nonce);

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
