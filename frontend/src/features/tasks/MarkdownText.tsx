// A description as Markdown, safely: raw HTML is shown as text, links only to http(s) and mail, opening elsewhere.
import { Markdown } from "markdown-to-jsx/react";
import type { ComponentProps } from "react";

const SAFE_URL = /^(https?:|mailto:)/i;

function SafeLink(props: ComponentProps<"a">) {
  const href = props.href && SAFE_URL.test(props.href) ? props.href : undefined;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {props.children}
    </a>
  );
}

const OPTIONS = {
  disableParsingRawHTML: true,
  forceBlock: true,
  // Images would load from anywhere (and the CSP refuses them): a link instead.
  overrides: { a: SafeLink, img: (props: ComponentProps<"img">) => <SafeLink href={props.src}>{props.alt || props.src}</SafeLink> },
};

export function MarkdownText({ text }: { text: string }) {
  return (
    <div className="markdown">
      <Markdown options={OPTIONS}>{text}</Markdown>
    </div>
  );
}
