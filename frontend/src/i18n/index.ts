// The app's languages: English (the keys themselves: natural-language keys) and German. The browser's language
// decides unless the person chose one (kept in localStorage); dates and numbers go through Intl in that language.
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import de from "./de.json";
import en from "./en.json";

export const LANGUAGES = { en: "English", de: "Deutsch" } as const;
export type Language = keyof typeof LANGUAGES;
const STORAGE_KEY = "tms.language";

export function preferredLanguage(): Language {
  const chosen = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (chosen === "en" || chosen === "de") return chosen;
  const browser = globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? "en"];
  for (const tag of browser) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "en" || base === "de") return base;
  }
  return "en";
}

void i18next.use(initReactI18next).init({
  lng: preferredLanguage(),
  fallbackLng: "en",
  // English needs entries only where a count picks a form: "{{count}} tasks_one" (the key is the "other" form).
  resources: { en: { translation: en }, de: { translation: de } },
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false }, // React escapes
  returnEmptyString: false,
});
document.documentElement.lang = i18next.language;

export function setLanguage(language: Language): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, language);
  void i18next.changeLanguage(language);
  document.documentElement.lang = language;
}

export const t = i18next.t.bind(i18next);
export { i18next };

/**
 * Marks an English text as a key without translating it yet, for texts kept in constants outside components and
 * translated where they are shown (`t(TASK_GONE)`); the catalogue test finds the keys by this name.
 */
export function translatable<Key extends string>(key: Key): Key {
  return key;
}
