import { describe, expect, it } from "vitest";
import { encodeBatch } from "@/api/notify/batch-json";
import { type OutgoingEmail, wholeBody } from "@/api/notify/transport";

// What Resend's SDK sent for the same emails: its field order, JSON.stringify, UTF-8.
const asTheSdkSendsIt = (emails: OutgoingEmail[]) =>
  new TextEncoder().encode(
    JSON.stringify(
      emails.map((e) => ({
        from: e.from,
        headers: e.headers,
        html: wholeBody(e.html),
        subject: e.subject,
        text: wholeBody(e.text),
        to: [e.to],
      })),
    ),
  );

const shared = {
  before: '<!doctype html><p style="color:#57606a">Ünïcode — “quotes” \\ back\\slash\n\ttab 🎫</p>',
  after: "</body></html>\n",
  text: 'tix1 is down — "Webtix" \u2028 line separator, \u0001 control, 🎫\n',
};

function chunk(count: number): OutgoingEmail[] {
  return Array.from({ length: count }, (_, i) => ({
    from: "Tixly Status <status@example.com>",
    to: `reader${i}@example.com`,
    subject: "[Tixly] Webtix down on tix1 — Investigating",
    text: [shared.text, `Unsubscribe: https://status.example.com/unsubscribe/s${i}.x\n`],
    html: [shared.before, `<a href="https://status.example.com/manage/s${i}.x">Manage</a>`, shared.after],
    headers: { "In-Reply-To": "<incident-a@status.example.com>", "List-Unsubscribe": `<https://x/u/s${i}>` },
  }));
}

describe("a Resend batch body", () => {
  it("is byte for byte the JSON the SDK wrote, for bodies in pieces with non-ASCII text, quotes and controls", () => {
    const emails = chunk(100);
    const body = encodeBatch(emails);
    expect(Buffer.from(body).equals(Buffer.from(asTheSdkSendsIt(emails)))).toBe(true);
    const parsed = JSON.parse(new TextDecoder().decode(body)) as { html: string; text: string; to: string[] }[];
    expect(parsed).toHaveLength(100);
    expect(parsed[42]!.html).toBe(wholeBody(emails[42]!.html));
    expect(parsed[42]!.text).toContain("🎫");
    expect(parsed[42]!.to).toEqual(["reader42@example.com"]);
  });

  it("takes whole-string bodies too, and an empty chunk is an empty array", () => {
    const emails = chunk(3).map((e) => ({ ...e, html: wholeBody(e.html), text: wholeBody(e.text) }));
    expect(Buffer.from(encodeBatch(emails)).equals(Buffer.from(asTheSdkSendsIt(emails)))).toBe(true);
    expect(new TextDecoder().decode(encodeBatch([]))).toBe("[]");
  });
});
