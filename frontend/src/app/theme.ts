// Light or dark: the system's choice (prefers-color-scheme) until the person picks one, kept in this browser.
import { useEffect, useState } from "react";

export type Theme = "light" | "dark";
const STORAGE_KEY = "tms.theme";
const dark = () => globalThis.matchMedia?.("(prefers-color-scheme: dark)");

export function storedTheme(): Theme | null {
  const value = globalThis.localStorage?.getItem(STORAGE_KEY);
  return value === "light" || value === "dark" ? value : null;
}

/** The theme the system asks for (prefers-color-scheme). */
export const systemTheme = (): Theme => (dark()?.matches ? "dark" : "light");

/** Show `theme` (the styles read html[data-theme]). */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}

/** The theme in effect, and a way to choose one (stored, and applied to the page at once). */
export function useTheme(): [Theme, (theme: Theme) => void] {
  const [chosen, setChosen] = useState<Theme | null>(storedTheme);
  const [systemDark, setSystemDark] = useState(() => dark()?.matches ?? false);
  useEffect(() => {
    const query = dark();
    if (!query) return;
    const changed = () => setSystemDark(query.matches);
    query.addEventListener("change", changed);
    return () => query.removeEventListener("change", changed);
  }, []);
  const theme = chosen ?? (systemDark ? "dark" : "light");
  useEffect(() => applyTheme(theme), [theme]);
  const choose = (next: Theme) => {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
    setChosen(next);
  };
  return [theme, choose];
}
