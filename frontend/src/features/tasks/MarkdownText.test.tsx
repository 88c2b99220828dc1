import { render, screen } from "@testing-library/react";
import { MarkdownText } from "./MarkdownText";

describe("a description as Markdown", () => {
  it("renders emphasis, lists and links that open elsewhere", () => {
    render(<MarkdownText text={"**Bring** the [agenda](https://example.com/a)\n\n- one\n- two"} />);
    expect(screen.getByText("Bring").tagName).toBe("STRONG");
    const link = screen.getByRole("link", { name: "agenda" });
    expect(link).toHaveAttribute("href", "https://example.com/a");
    expect(link).toHaveAttribute("rel", expect.stringContaining("noopener"));
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
  });

  it("never runs what a description carries: raw HTML stays text, script links lose their target", () => {
    const { container } = render(
      <MarkdownText text={'<img src=x onerror="alert(1)"> <script>alert(2)</script> [click](javascript:alert(3))'} />,
    );
    expect(container.querySelector("img, script")).toBeNull();
    expect(container.querySelector("[onerror]")).toBeNull();
    expect(screen.getByText("click").closest("a")).not.toHaveAttribute("href");
  });
});
