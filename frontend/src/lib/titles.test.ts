import { describe, expect, it } from "vitest";
import { cutTitle, TITLE_MAX_LENGTH } from "./titles";

describe("cutTitle", () => {
  it("keeps a title up to the limit as it is", () => {
    expect(cutTitle("Buy milk")).toEqual({ title: "Buy milk", cut: false });
    expect(cutTitle("x".repeat(TITLE_MAX_LENGTH))).toEqual({ title: "x".repeat(200), cut: false });
  });

  it("keeps the first 200 characters of a longer one and says it cut", () => {
    expect(cutTitle("x".repeat(201))).toEqual({ title: "x".repeat(200), cut: true });
  });

  it("counts an emoji as one character and never splits it", () => {
    expect(cutTitle("😀".repeat(200))).toEqual({ title: "😀".repeat(200), cut: false });
    expect(cutTitle("😀".repeat(201))).toEqual({ title: "😀".repeat(200), cut: true });
  });
});
