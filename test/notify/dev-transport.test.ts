import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { simpleParser } from "mailparser";
import { createDevTransport } from "@/api/notify/dev-transport";
import { incidentEmail } from "@/api/notify/templates";
import { makeIncident, makePage } from "@/test/support/views";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function outbox() {
  const dir = await mkdtemp(join(tmpdir(), "marquee-outbox-"));
  dirs.push(dir);
  const lines: string[] = [];
  let clock = Date.UTC(2026, 10, 25, 15, 20);
  const transport = createDevTransport({ dir: join(dir, "outbox"), log: (l) => lines.push(l), now: () => clock++ });
  return { dir: join(dir, "outbox"), lines, transport };
}

function anEmail(to: string) {
  const incident = makeIncident({ id: "devinc000001", name: "Webtix down on tix1" }, [
    { status: "investigating", body: "We are looking into it." },
  ]);
  return incidentEmail({
    page: makePage({ name: "Ticketing" }),
    incident,
    update: incident.updates[0]!,
    unsubscribeUrl: "https://status.example.com/unsubscribe/tok789",
    manageUrl: "https://status.example.com/subscription/tok789",
    from: "status@example.com",
    to,
    isFirst: true,
  });
}

describe("the development outbox", () => {
  it("writes each email as an .eml file a mail client can read, and logs the count, not the addresses", async () => {
    const { dir, lines, transport } = await outbox();

    const result = await transport.sendChunk([anEmail("a@example.org"), anEmail("b@example.org")], "chunk-1");

    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(2);
    expect(result).toEqual({ ok: true, ids: files });
    expect(files[0]).toMatch(/^2026-11-25T15-20-00-000Z-a@example\.org-[0-9a-f]{12}\.eml$/);
    expect(lines).toEqual([`2 emails ([Ticketing] Webtix down on tix1 — Investigating) written to ${dir}`]);
    expect(lines.join("\n")).not.toContain("@example.org");
    expect(lines.join("\n")).not.toContain("tok789");

    const raw = await readFile(join(dir, files[0]!), "utf8");
    expect(raw).toContain("\r\n");
    const parsed = await simpleParser(raw);
    expect(parsed.to).toMatchObject({ text: "a@example.org" });
    expect(parsed.subject).toBe("[Ticketing] Webtix down on tix1 — Investigating");
    expect(parsed.text).toContain("We are looking into it.");
    expect(parsed.html).toContain("We are looking into it.");
    expect(parsed.messageId).toBe("<incident-devinc000001@status.example.com>");
    expect(parsed.headerLines.map((h) => h.line)).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
  });

  it("writes a retried chunk's emails once: same key and index, same file", async () => {
    const { dir, lines, transport } = await outbox();
    const chunk = [anEmail("a@example.org"), anEmail("b@example.org")];

    const first = await transport.sendChunk(chunk, "chunk-2");
    const retry = await transport.sendChunk(chunk, "chunk-2");

    expect(retry).toEqual(first);
    expect(await readdir(dir)).toHaveLength(2);
    expect(lines).toHaveLength(1);

    await transport.sendChunk(chunk, "chunk-3");
    expect(await readdir(dir)).toHaveLength(4);
  });

  it("keeps the outbox to Marquee's user: the folder 0700, each email 0600", async () => {
    const { dir, transport } = await outbox();
    const previous = process.umask(0o022);
    try {
      await transport.sendChunk([anEmail("a@example.org")], "chunk-5");
    } finally {
      process.umask(previous);
    }
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const [file] = await readdir(dir);
    expect((await stat(join(dir, file!))).mode & 0o777).toBe(0o600);
  });

  it("refuses, for good, an email whose header carries a line break", async () => {
    const { transport } = await outbox();
    const email = { ...anEmail("a@example.org"), subject: "Hi\r\nBcc: x@example.com" };
    expect(await transport.sendChunk([email], "chunk-4")).toMatchObject({ ok: false, retryable: false });
  });
});
