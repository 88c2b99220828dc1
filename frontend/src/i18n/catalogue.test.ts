/// <reference types="vite/client" />
// The German catalogue against the source: every literal key of t("…") (and translatable("…")) in src has a German
// entry, every entry is still used, and each keeps the key's {{placeholders}}. Counted keys (t("…", { count }))
// need their plural forms: _one and _other in German, _one in English (the key itself is the English "other").
import { describe, expect, it } from "vitest";
import de from "./de.json";
import en from "./en.json";
import { i18next, setLanguage } from "./index";

const sources = import.meta.glob(["../**/*.{ts,tsx}", "!../**/*.test.{ts,tsx}", "!../**/schema.d.ts", "!../test-*.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

const LITERAL = String.raw`"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|` + "`(?:[^`\\\\$]|\\\\.)*`";
const CALL = new RegExp(String.raw`(?<![\w$])(t|translatable)\(\s*(${LITERAL})\s*(,\s*\{[^}]*\})?`, "g");
const PLURAL = /_(zero|one|two|few|many|other)$/;

function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  if (literal[0] === '"') return JSON.parse(literal) as string;
  if (literal[0] === "'") return JSON.parse(`"${body.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string;
  return body.replace(/\\`/g, "`").replace(/\\\\/g, "\\");
}

/** The keys used in the source, each with whether a count goes with it and where it is used. */
export function usedKeys(files: Record<string, string>): Map<string, { counted: boolean; files: Set<string> }> {
  const keys = new Map<string, { counted: boolean; files: Set<string> }>();
  for (const [file, text] of Object.entries(files)) {
    for (const match of text.matchAll(CALL)) {
      const key = unquote(match[2]);
      const entry = keys.get(key) ?? { counted: false, files: new Set<string>() };
      entry.counted ||= /\bcount\b/.test(match[3] ?? "");
      entry.files.add(file.replace(/^\.\.\//, "src/"));
      keys.set(key, entry);
    }
  }
  return keys;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)[^}]*\}\}/g)].map((m) => m[1]).sort();

const used = usedKeys(sources);
const german = de as Record<string, string>;
const english = en as Record<string, string>;

describe("the German catalogue", () => {
  it("finds keys in each way they are written", () => {
    const found = usedKeys({
      "a.tsx": [
        `t("Save")`,
        `t('It\\'s "done"')`,
        "t(`Back`)",
        `t("{{count}} tasks", { count: n })`,
        `i18next.t("Plain")`,
        `translatable("Kept")`,
        "t(`Not ${'a'} key`)",
        `format("Not a key")`,
      ].join("\n"),
    });
    expect([...found.keys()]).toEqual(["Save", `It's "done"`, "Back", "{{count}} tasks", "Plain", "Kept"]);
    expect(found.get("{{count}} tasks")?.counted).toBe(true);
    expect(found.get("Save")?.counted).toBe(false);
  });

  it("has a German entry for every key in the source", () => {
    const missing: string[] = [];
    for (const [key, { counted, files }] of used) {
      const where = ` (${[...files].join(", ")})`;
      if (counted) {
        for (const form of ["_one", "_other"]) if (!german[key + form]) missing.push(`de ${key}${form}${where}`);
        if (!english[key + "_one"]) missing.push(`en ${key}_one${where}`);
      } else if (!german[key]) {
        missing.push(`de ${key}${where}`);
      }
    }
    expect(missing, "keys without a translation").toEqual([]);
  });

  it("has no entry the source no longer uses", () => {
    const stale = [...Object.keys(german).map((k) => `de ${k}`), ...Object.keys(english).map((k) => `en ${k}`)].filter((entry) => {
      const key = entry.slice(3);
      const base = key.replace(PLURAL, "");
      return !(used.has(key) && !used.get(key)?.counted) && !(base !== key && used.get(base)?.counted);
    });
    expect(stale, "entries no key uses").toEqual([]);
  });

  it("keeps each key's placeholders in its translation", () => {
    const wrong = Object.entries({ ...german, ...english }).filter(([key, text]) => {
      const base = key.replace(PLURAL, "");
      const allowed = placeholders(base);
      if (base === key) return placeholders(text).join() !== allowed.join();
      return placeholders(text).some((name) => name !== "count" && !allowed.includes(name));
    });
    expect(
      wrong.map(([key]) => key),
      "translations with other placeholders than their key",
    ).toEqual([]);
  });
});

describe("plurals with English keys", () => {
  it("picks the form for the count in both languages", async () => {
    i18next.addResource("en", "translation", "{{count}} tests_one", "{{count}} test");
    i18next.addResource("de", "translation", "{{count}} tests_one", "{{count}} Test");
    i18next.addResource("de", "translation", "{{count}} tests_other", "{{count}} Tests");
    setLanguage("en");
    expect(i18next.t("{{count}} tests", { count: 1 })).toBe("1 test");
    expect(i18next.t("{{count}} tests", { count: 3 })).toBe("3 tests");
    setLanguage("de");
    expect(i18next.t("{{count}} tests", { count: 1 })).toBe("1 Test");
    expect(i18next.t("{{count}} tests", { count: 3 })).toBe("3 Tests");
    setLanguage("en");
  });
});
