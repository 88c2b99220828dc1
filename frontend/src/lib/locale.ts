// The Intl locale of an app language: English dates read "Fri 12 Dec" (day before month), so English is en-GB.
const LOCALES: Record<string, string> = { en: "en-GB", de: "de-DE" };

export function localeOf(language: string): string {
  return LOCALES[language.toLowerCase().split("-")[0]] ?? language;
}
