import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { applyTheme, storedTheme } from "./app/theme";
import "./i18n";
import "./styles.css";

applyTheme(storedTheme()); // before the first paint: no flash of the other theme

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
