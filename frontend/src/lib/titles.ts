/** The most characters a task's title holds (the API's limit, counted as the API counts: by code point). */
export const TITLE_MAX_LENGTH = 200;

/**
 * A title as typed or pasted, cut to the limit. A longer one (a paste, say) keeps its start, and `cut` says so, so
 * the form can tell the person instead of an input's maxlength dropping the rest silently. Code points are counted,
 * so an emoji is never split in half.
 */
export function cutTitle(value: string): { title: string; cut: boolean } {
  const characters = Array.from(value);
  if (characters.length <= TITLE_MAX_LENGTH) return { title: value, cut: false };
  return { title: characters.slice(0, TITLE_MAX_LENGTH).join(""), cut: true };
}
