import { fireEvent, render, renderHook } from "@testing-library/react";
import type { Mock } from "vitest";
import { SEQUENCE_MS, useShortcuts, type ShortcutBindings } from "./useShortcuts";

function press(key: string, init: KeyboardEventInit = {}, target: Element = document.body) {
  return fireEvent.keyDown(target, { key, ...init });
}

function bindings(...keys: string[]) {
  return Object.fromEntries(keys.map((key) => [key, vi.fn()])) as Record<string, Mock<(event: KeyboardEvent) => void>>;
}

describe("single keys", () => {
  it("calls the key's handler with the event and keeps the browser from acting on it", () => {
    const keys = bindings("q", "/", "j");
    renderHook(() => useShortcuts(keys));
    const notCancelled = press("/");
    expect(notCancelled).toBe(false);
    expect(keys["/"]).toHaveBeenCalledWith(expect.objectContaining({ key: "/" }));
    press("j");
    press("j");
    expect(keys.j).toHaveBeenCalledTimes(2);
    expect(keys.q).not.toHaveBeenCalled();
  });

  it("reads keys typed with Shift as the character they give", () => {
    const keys = bindings("?", "#");
    renderHook(() => useShortcuts(keys));
    press("Shift", { shiftKey: true });
    press("?", { shiftKey: true });
    press("#", { shiftKey: true });
    expect(keys["?"]).toHaveBeenCalledTimes(1);
    expect(keys["#"]).toHaveBeenCalledTimes(1);
  });

  it("takes a capital letter typed with Caps Lock as the letter", () => {
    const keys = bindings("q");
    renderHook(() => useShortcuts(keys));
    press("Q");
    expect(keys.q).toHaveBeenCalledTimes(1);
    press("Q", { shiftKey: true });
    expect(keys.q).toHaveBeenCalledTimes(1);
  });

  it("leaves unbound keys to the browser", () => {
    renderHook(() => useShortcuts(bindings("q")));
    expect(press("z")).toBe(true);
  });

  it.each(["ctrlKey", "metaKey", "altKey"])("steps aside with %s held", (modifier) => {
    const keys = bindings("q");
    renderHook(() => useShortcuts(keys));
    expect(press("q", { [modifier]: true })).toBe(true);
    expect(keys.q).not.toHaveBeenCalled();
  });
});

describe("while typing", () => {
  afterEach(() => {
    document.body.innerHTML = "";
  });

  it.each([
    ["a text field", "<input type='text' />"],
    ["a field without a type", "<input />"],
    ["a search field", "<input type='search' />"],
    ["a text area", "<textarea></textarea>"],
    ["a select", "<select><option>a</option></select>"],
    ["an editable element", "<div contenteditable='true'><p>text</p></div>"],
    ["a menu", "<div role='menu'><div role='menuitem' tabindex='-1'>Edit</div></div>"],
  ])("does nothing in %s", (_, html) => {
    const keys = bindings("q", "g i");
    renderHook(() => useShortcuts(keys));
    document.body.insertAdjacentHTML("beforeend", html);
    const target = document.body.lastElementChild?.querySelector("p, [role=menuitem]") ?? document.body.lastElementChild!;
    expect(press("q", {}, target)).toBe(true);
    press("g", {}, target);
    press("i", {}, target);
    expect(keys.q).not.toHaveBeenCalled();
    expect(keys["g i"]).not.toHaveBeenCalled();
  });

  it("still works on a checkbox in focus", () => {
    const keys = bindings("x");
    renderHook(() => useShortcuts(keys));
    document.body.innerHTML = "<input type='checkbox' />";
    press("x", {}, document.body.querySelector("input")!);
    expect(keys.x).toHaveBeenCalledTimes(1);
  });
});

describe("with a modal dialog open", () => {
  it("leaves the keys to the dialog until it closes", () => {
    const keys = bindings("q", "?");
    renderHook(() => useShortcuts(keys));
    const { unmount } = render(
      <div role="dialog" aria-modal="true" aria-label="Quick add">
        <button type="button">Add task</button>
      </div>,
    );
    press("q");
    press("?", { shiftKey: true });
    expect(keys.q).not.toHaveBeenCalled();
    expect(keys["?"]).not.toHaveBeenCalled();
    unmount();
    press("q");
    expect(keys.q).toHaveBeenCalledTimes(1);
  });

  it("is not put off by a dialog that is not modal", () => {
    const keys = bindings("q");
    renderHook(() => useShortcuts(keys));
    const { unmount } = render(<div role="dialog" aria-label="Tip" />);
    press("q");
    expect(keys.q).toHaveBeenCalledTimes(1);
    unmount();
  });
});

describe("two-key sequences", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("calls the sequence's handler when the second key follows within a second", () => {
    const keys = bindings("g i", "g t", "i");
    renderHook(() => useShortcuts(keys));
    press("g");
    vi.advanceTimersByTime(SEQUENCE_MS - 100);
    press("i");
    expect(keys["g i"]).toHaveBeenCalledTimes(1);
    expect(keys.i).not.toHaveBeenCalled();
    press("g");
    press("t");
    expect(keys["g t"]).toHaveBeenCalledTimes(1);
  });

  it("forgets the first key after a second", () => {
    const keys = bindings("g i", "i");
    renderHook(() => useShortcuts(keys));
    press("g");
    vi.advanceTimersByTime(SEQUENCE_MS + 1);
    press("i");
    expect(keys["g i"]).not.toHaveBeenCalled();
    expect(keys.i).toHaveBeenCalledTimes(1);
  });

  it("takes a second key that completes no sequence on its own", () => {
    const keys = bindings("g i", "j");
    renderHook(() => useShortcuts(keys));
    press("g");
    press("j");
    press("i");
    expect(keys.j).toHaveBeenCalledTimes(1);
    expect(keys["g i"]).not.toHaveBeenCalled();
  });

  it("forgets the first key when the second is typed into a field", () => {
    const keys = bindings("g i");
    renderHook(() => useShortcuts(keys));
    const input = document.createElement("input");
    document.body.append(input);
    press("g");
    press("i", {}, input);
    press("i");
    expect(keys["g i"]).not.toHaveBeenCalled();
    input.remove();
  });
});

describe("the hook's life", () => {
  it("does nothing while disabled", () => {
    const keys = bindings("q");
    const { rerender } = renderHook((enabled: boolean) => useShortcuts(keys, enabled), { initialProps: false });
    press("q");
    expect(keys.q).not.toHaveBeenCalled();
    rerender(true);
    press("q");
    expect(keys.q).toHaveBeenCalledTimes(1);
  });

  it("uses the latest handlers", () => {
    const first = vi.fn();
    const second = vi.fn();
    const { rerender } = renderHook((keys: ShortcutBindings) => useShortcuts(keys), { initialProps: { q: first } });
    rerender({ q: second });
    press("q");
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
  });

  it("stops listening when the component goes", () => {
    const keys = bindings("q");
    const { unmount } = renderHook(() => useShortcuts(keys));
    unmount();
    expect(press("q")).toBe(true);
    expect(keys.q).not.toHaveBeenCalled();
  });
});
