// Light or dark: the system's choice (prefers-color-scheme) until the person picks one, kept in this browser.
import { useEffect, useState } from "react";

export type Theme = "light" | "dark";
const STORAGE_KEY = "tms.theme";
const dark = () => globalThis.matchMedia?.("(prefers-color-scheme: dark)");

export function storedTheme(): Theme | null {
  const value = globalThis.localStorage?.getItem(STORAGE_KEY);
  return value === "light" || value === "dark" ? value : null;
}

export function applyTheme(theme: Theme | null): void {
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
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
  useEffect(() => applyTheme(chosen), [chosen]);
  const choose = (theme: Theme) => {
    globalThis.localStorage?.setItem(STORAGE_KEY, theme);
    setChosen(theme);
  };
  return [chosen ?? (systemDark ? "dark" : "light"), choose];
}
