import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { ShortcutsHelp } from "./ShortcutsHelp";

const SHORTCUTS = [
  { keys: "q", action: "Quick add a task" },
  { keys: "j / k", action: "Next / previous task" },
  { keys: "/", action: "Search" },
  { keys: "g i", action: "Go to the Inbox" },
];

function setup() {
  const onOpenChange = vi.fn();
  function Harness() {
    const [open, setOpen] = useState(true);
    return (
      <ShortcutsHelp
        open={open}
        onOpenChange={(next) => {
          onOpenChange(next);
          setOpen(next);
        }}
        shortcuts={SHORTCUTS}
      />
    );
  }
  render(<Harness />);
  return { user: userEvent.setup(), onOpenChange };
}

it("lists each shortcut's keys and what it does", () => {
  setup();
  const dialog = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
  const keys = within(dialog).getAllByRole("term");
  const actions = within(dialog).getAllByRole("definition");
  expect(keys.map((term) => term.textContent)).toEqual(["q", "j / k", "/", "g then i"]);
  expect(actions.map((definition) => definition.textContent)).toEqual(SHORTCUTS.map((s) => s.action));
  expect([...keys[3].querySelectorAll("kbd")].map((kbd) => kbd.textContent)).toEqual(["g", "i"]);
  expect([...keys[1].querySelectorAll("kbd")].map((kbd) => kbd.textContent)).toEqual(["j", "k"]);
  expect([...keys[2].querySelectorAll("kbd")].map((kbd) => kbd.textContent)).toEqual(["/"]);
});

it("closes on Esc", async () => {
  const { user, onOpenChange } = setup();
  await user.keyboard("{Escape}");
  expect(onOpenChange).toHaveBeenLastCalledWith(false);
  expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
});

it("closes with its Close button", async () => {
  const { user, onOpenChange } = setup();
  await user.click(screen.getByRole("button", { name: "Close" }));
  expect(onOpenChange).toHaveBeenLastCalledWith(false);
  expect(screen.queryByRole("dialog", { name: "Keyboard shortcuts" })).not.toBeInTheDocument();
});

it("shows nothing when closed", () => {
  render(<ShortcutsHelp open={false} onOpenChange={() => undefined} shortcuts={SHORTCUTS} />);
  expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
});
