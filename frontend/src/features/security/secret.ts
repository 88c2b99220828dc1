// How the shared secret and the recovery codes are shown and taken away.

/** The base32 secret in groups of four ("ABCD EFGH …"), easier to type by hand; spaces are ignored by the apps. */
export function groupSecret(secret: string): string {
  return (secret.replace(/\s/g, "").match(/.{1,4}/g) ?? []).join(" ");
}

/** The text file of recovery codes: a heading line, one code a line. */
export function recoveryCodesText(heading: string, codes: string[]): string {
  return [heading, "", ...codes, ""].join("\n");
}

/** Save `text` as a .txt file the browser downloads. */
export function downloadText(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

/** Copy `text`; false where the browser refuses (no permission, not a secure context). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The server's QR code SVG as an image address. An SVG drawn as an image needs its namespace, which an SVG made to
 * sit inline in HTML leaves out (segno's svg_inline): it is added when missing. The SVG never becomes page markup.
 */
export function qrImageSource(svg: string): string {
  const image = /^\s*<svg\b(?![^>]*\bxmlns=)/.test(svg) ? svg.replace(/<svg\b/, '<svg xmlns="http://www.w3.org/2000/svg"') : svg;
  return "data:image/svg+xml;utf8," + encodeURIComponent(image);
}
