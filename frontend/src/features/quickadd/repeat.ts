// Quick add's repeats: "every week on Monday", "every 2 days", "every month on the last day" in a line of text, read
// by rrule.js (RRule.fromText's parser) into the RRULE the API takes. rrule.js reads a phrase up to the first word it
// does not know and ignores the rest, and it reads "every morning" as "every Monday" (its "mo"), so the phrase is
// cut here first: "every" and the words a repeat is made of, no more; a last word that changes nothing ("every day
// 9") is left to the title. What it cannot read stays in the title and nothing repeats: no guessing.
import type { RRule as RRuleClass } from "rrule";
import { formatRule, parseRule } from "../../lib/recurrence";

export interface RepeatParser {
  /** The RRULE (no "RRULE:", no DTSTART) for an English phrase starting with "every", or null. */
  read(phrase: string): string | null;
  /** The dates (YYYY-MM-DD) of the rule's first `count` occurrences on or after `start`. */
  occurrences(rule: string, start: string, count: number): string[];
  /** rrule.js's English words for a rule ("every 2 weeks on Monday, Friday"). */
  describe(rule: string): string;
}

/** rrule.js, fetched when quick add first opens (about 15 KB gzip: it stays out of the first page load). */
export async function loadRepeatParser(): Promise<RepeatParser> {
  const module = (await import("rrule")) as unknown as { RRule?: typeof RRuleClass; default?: { RRule: typeof RRuleClass } };
  const RRule = module.RRule ?? module.default?.RRule;
  if (!RRule) throw new Error("rrule.js did not load");
  return repeatParser(RRule);
}

// rrule.js's frequencies: YEARLY 0, MONTHLY 1, WEEKLY 2, DAILY 3 (hourly and finer are no task's repeat).
const TASK_FREQUENCIES = [0, 1, 2, 3];

export function repeatParser(RRule: typeof RRuleClass): RepeatParser {
  return {
    read(phrase) {
      try {
        const options = RRule.parseText(phrase);
        if (!options || options.freq === undefined || !TASK_FREQUENCIES.includes(options.freq)) return null;
        if (options.until && Number.isNaN(options.until.getTime())) return null;
        // "at 9" is the due time (chrono reads it), not a part of the rule.
        const rest = { ...options };
        delete rest.byhour;
        delete rest.byminute;
        delete rest.bysecond;
        const text = RRule.optionsToString(rest).replace(/^RRULE:/u, "");
        const parts = parseRule(text);
        return parts ? formatRule(parts) : text;
      } catch {
        return null; // "every" and words rrule.js cannot make a rule of
      }
    },
    occurrences(rule, start, count) {
      const options = { ...RRule.parseString(rule), dtstart: new Date(`${start}T00:00:00Z`) };
      return new RRule(options).all((_, i) => i < count).map((date) => date.toISOString().slice(0, 10));
    },
    describe(rule) {
      return RRule.fromString(rule).toText();
    },
  };
}

const REPEAT_WORD = new RegExp(
  "^(?:" +
    [
      String.raw`\d+`,
      String.raw`\d+(?:st|nd|rd|th)`,
      String.raw`\d{4}-\d{2}-\d{2}`,
      "one|two|three",
      "days?|weekdays?|weeks?|months?|years?",
      "on|in|the|first|second|third|last|for|times?|until|till|and|or",
      "mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|(?:mon|tues|wednes|thurs|fri|satur|sun)days?",
      "jan|january|feb|february|mar|march|apr|april|may|june?|july?|aug|august|sept?|september|oct|october|nov|november|dec|december",
    ].join("|") +
    ")$",
  "iu",
);
// Words that may trail a phrase without being a part of it: "every day 9 pages", "every week and". Nouns ("the last
// day", "for 5 times") close a phrase even where rrule.js would read the same without them.
const LOOSE_WORD = /^(?:\d+|one|two|three|on|in|the|for|until|till|and|or)$/iu;
const MAX_WORDS = 12;

/** The first "every …" phrase in the text that rrule.js reads, with where it is and its rule. */
export function findRepeat(text: string, parser: RepeatParser): { index: number; text: string; rule: string } | undefined {
  for (const start of text.matchAll(/(?<![\p{L}\p{N}])every(?=\s)/giu)) {
    const index = start.index;
    const ends: number[] = [];
    const word = /\S+/gu;
    word.lastIndex = index + start[0].length;
    const words: string[] = [];
    for (let match = word.exec(text); match && ends.length < MAX_WORDS; match = word.exec(text)) {
      const bare = match[0].replace(/[,.;:]+$/u, "");
      if (!REPEAT_WORD.test(bare)) break;
      ends.push(match.index + bare.length);
      words.push(bare);
    }
    for (let count = ends.length; count >= 1; count--) {
      const phrase = text.slice(index, ends[count - 1]);
      const rule = parser.read(phrase);
      if (!rule) continue;
      // A loose last word that changes nothing ("every day 9", "every week and") is not a part of the repeat.
      if (count > 1 && LOOSE_WORD.test(words[count - 1]) && parser.read(text.slice(index, ends[count - 2])) === rule) continue;
      return { index, text: phrase, rule };
    }
  }
  return undefined;
}

/** The first due date of a repeat starting today: today if it is an occurrence (and `notToday` is false), else the next. */
export function firstOccurrence(parser: RepeatParser, rule: string, today: string, notToday: boolean): string | undefined {
  const [first, second] = parser.occurrences(rule, today, 2);
  return first === today && notToday ? second : first;
}
