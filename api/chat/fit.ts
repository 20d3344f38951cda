import type { Atom, Dialect } from "./markdown";

/** Writes atoms without a limit. */
export function writeAtoms(atoms: Atom[], d: Dialect): string {
  const closers: string[] = [];
  let out = "";
  for (const atom of atoms) {
    if (atom.kind === "text") out += d.escape(atom.raw);
    else if (atom.kind === "whole") out += atom.out;
    else if (atom.kind === "open") {
      out += atom.out;
      closers.push(atom.close);
    } else out += closers.pop() ?? "";
  }
  return out + closers.reverse().join("");
}

// A cut inside text backs up to the last space when one is this close, so a word is not split.
const wordSlack = 40;

/**
 * Writes atoms within `limit` (as the dialect measures). When the whole does not fit, the text is cut between
 * characters of plain text or between atoms, never inside an escape, a link or inline code; formatting still open is
 * closed, and `more` (an ellipsis and a "read more" link) ends the text.
 */
export function fitAtoms(atoms: Atom[], d: Dialect, limit: number, more: string): string {
  const whole = writeAtoms(atoms, d);
  if (d.measure(whole) <= limit) return whole;
  const open: { close: string; at: number; after: number }[] = [];
  let out = "";
  let used = 0;
  const closing = () => open.reduce((sum, o) => sum + d.measure(o.close), 0);
  const room = () => limit - d.measure(more) - closing();
  let cut = false;
  for (const atom of atoms) {
    if (atom.kind === "close") {
      const o = open.pop();
      if (o) [out, used] = [out + o.close, used + d.measure(o.close)];
      continue;
    }
    const piece = atom.kind === "text" ? d.escape(atom.raw) : atom.out;
    const size = d.measure(piece);
    const extra = atom.kind === "open" ? d.measure(atom.close) : 0;
    if (used + size + extra <= room()) {
      if (atom.kind === "open") open.push({ close: atom.close, at: out.length, after: out.length + piece.length });
      out += piece;
      used += size;
      continue;
    }
    if (atom.kind === "text") out += fillText(atom.raw, d, room() - used);
    cut = true;
    break;
  }
  if (!cut) return writeAtoms(atoms, d);
  // Formatting opened with nothing after it is dropped rather than closed empty (`**` renders as text).
  while (open.length > 0 && open[open.length - 1]!.after >= out.trimEnd().length) {
    out = out.slice(0, open.pop()!.at);
  }
  out = out.trimEnd();
  return (
    out +
    open
      .reverse()
      .map((o) => o.close)
      .join("") +
    more
  );
}

/** As many characters of `raw` as fit in `room` once escaped, backing up to a word boundary when one is near. */
function fillText(raw: string, d: Dialect, room: number): string {
  const chars = Array.from(raw); // code points: a cut never splits a surrogate pair
  let taken = 0;
  let used = 0;
  while (taken < chars.length) {
    const size = d.measure(d.escape(chars[taken]!));
    if (used + size > room) break;
    used += size;
    taken += 1;
  }
  const kept = chars.slice(0, taken);
  const space = kept.lastIndexOf(" ");
  const text = space >= 0 && taken - space <= wordSlack && taken < chars.length ? kept.slice(0, space) : kept;
  // Escaping a run can add more than its characters did one by one (a mention defused with a zero-width space).
  while (text.length > 0 && d.measure(d.escape(text.join(""))) > room) text.pop();
  return d.escape(text.join(""));
}

/** Plain text (a header, a title) cut to `limit` characters with an ellipsis. */
export function clip(text: string, limit: number): string {
  const chars = Array.from(text);
  return chars.length <= limit
    ? text
    : chars
        .slice(0, limit - 1)
        .join("")
        .trimEnd() + "…";
}
