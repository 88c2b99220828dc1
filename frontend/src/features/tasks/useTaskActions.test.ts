import { describe, expect, it } from "vitest";
import { inOrder } from "./useTaskActions";

describe("changes to one task", () => {
  it("reach the server one after another, even when the first fails; other tasks do not wait", async () => {
    const log: string[] = [];
    let finishMove: () => void = () => undefined;
    const move = inOrder(1, () => new Promise<void>((resolve) => (finishMove = () => (log.push("move"), resolve()))));
    const complete = inOrder(1, async () => void log.push("complete"));
    const other = inOrder(2, async () => void log.push("other task"));
    await other;
    expect(log).toEqual(["other task"]); // task 1's complete waits for its move
    finishMove();
    await Promise.all([move, complete]);
    expect(log).toEqual(["other task", "move", "complete"]);

    const failing = inOrder(3, () => Promise.reject(new Error("refused")));
    const after = inOrder(3, async () => "sent anyway");
    await expect(failing).rejects.toThrow("refused");
    await expect(after).resolves.toBe("sent anyway");
  });
});
