// Single-key shortcuts ("q", "?", "j") and two-key sequences ("g i": g, then i within a second) on the whole page.
// They step aside while the person types, holds Ctrl, Meta or Alt (the browser's and the system's shortcuts), is in
// a menu or list that reads letters itself, or has a modal dialog open (the dialog handles its own keys).
import { useEffect, useEffectEvent } from "react";

export type ShortcutBindings = Record<string, (event: KeyboardEvent) => void>;

/** How long the second key of a sequence may wait for the first. */
export const SEQUENCE_MS = 1000;

// Inputs where letters are not typed: a task's checkbox in focus still lets "x" complete it.
const NOT_TYPED = new Set(["checkbox", "radio", "button", "submit", "reset", "image", "file", "color", "range"]);

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target instanceof HTMLInputElement) return !NOT_TYPED.has(target.type);
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target.closest('[contenteditable]:not([contenteditable="false"])') !== null;
}

// Menus and list boxes move to the item whose name starts with the letter typed.
function inLetterWidget(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('[role="menu"], [role="menubar"], [role="listbox"]') !== null;
}

function modalOpen(): boolean {
  return document.querySelector('[role="dialog"][aria-modal="true"], [role="alertdialog"][aria-modal="true"]') !== null;
}

/** The key as bindings name it; a capital letter typed with Caps Lock on is the lower-case one. */
function keyOf(event: KeyboardEvent): string {
  const { key } = event;
  if (!event.shiftKey && key.length === 1 && key !== key.toLowerCase()) return key.toLowerCase();
  return key;
}

const MODIFIERS = new Set(["Shift", "Control", "Alt", "Meta", "CapsLock", "AltGraph"]);

/**
 * Calls `bindings[key]` on keydown anywhere in the page. A key that starts a sequence ("g" of "g i") waits up to
 * SEQUENCE_MS for the next; if that one completes no sequence it counts on its own. A handled key's default action
 * is prevented (Firefox's quick find on "/"). The latest bindings are used without re-registering the listener.
 */
export function useShortcuts(bindings: ShortcutBindings, enabled = true): void {
  const current = useEffectEvent(() => bindings);

  useEffect(() => {
    if (!enabled) return;
    let pending: string | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const forget = () => {
      pending = null;
      clearTimeout(timer);
    };

    function onKeyDown(event: KeyboardEvent) {
      if (MODIFIERS.has(event.key)) return; // Shift pressed on the way to "?" keeps a sequence going
      if (
        event.defaultPrevented ||
        event.isComposing ||
        event.ctrlKey ||
        event.metaKey ||
        event.altKey ||
        isTyping(event.target) ||
        inLetterWidget(event.target) ||
        modalOpen()
      ) {
        forget();
        return;
      }
      const handlers = current();
      const key = keyOf(event);
      const first = pending;
      forget();
      const sequence = first === null ? undefined : handlers[`${first} ${key}`];
      if (sequence) return run(sequence, event);
      if (Object.keys(handlers).some((name) => name.startsWith(`${key} `))) {
        pending = key;
        timer = setTimeout(forget, SEQUENCE_MS);
        event.preventDefault();
        return;
      }
      const single = handlers[key];
      if (single) run(single, event);
    }

    document.addEventListener("keydown", onKeyDown);
    return () => {
      forget();
      document.removeEventListener("keydown", onKeyDown);
    };
  }, [enabled]);
}

function run(handler: (event: KeyboardEvent) => void, event: KeyboardEvent) {
  event.preventDefault();
  handler(event);
}
