// XML 1.0 forbids these characters even escaped or inside CDATA: one of them in a body would break every reader.
const invalidInXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
/** Drops the characters XML cannot carry at all. */
export const xmlSafe = (text: string) => text.replace(invalidInXml, "");

/** Escapes text for HTML and XML alike. */
export function escapeText(text: string): string {
  return xmlSafe(text).replace(/[&<>"']/g, (c) => entities[c]!);
}
