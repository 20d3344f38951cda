import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { simpleParser } from "mailparser";
import { createSmtpTransport } from "@/api/notify/smtp-transport";
import { incidentEmail } from "@/api/notify/templates";
import type { MailTransport } from "@/api/notify/transport";
import { makeIncident, makePage } from "@/test/support/views";

type Received = { from: string; to: string[]; raw: string };
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A real SMTP server on a free loopback port; `reject` makes it refuse every message at DATA with that reply. */
async function startServer(reject?: { code: number; message: string }) {
  const received: Received[] = [];
  const options: SMTPServerOptions = {
    authOptional: true,
    secure: false,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => (raw += chunk));
      stream.on("end", () => {
        if (reject) return callback(Object.assign(new Error(reject.message), { responseCode: reject.code }));
        const to = session.envelope.rcptTo.map((r) => r.address);
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to, raw });
        callback();
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.server.address() as AddressInfo;
  return { received, url: `smtp://127.0.0.1:${port}` };
}

function transportFor(url: string): MailTransport & { maxChunkSize: number } {
  const transport = createSmtpTransport({ url });
  cleanup.push(() => transport.close!());
  return transport;
}

function anEmail(to = "reader@example.org") {
  const incident = makeIncident({ id: "smtpinc00001", name: "Webtix down on tix1" }, [
    { status: "investigating" },
    { status: "identified", body: "Provider rebooted the data centre." },
  ]);
  return incidentEmail({
    page: makePage({ name: "Ticketing" }),
    incident,
    update: incident.updates[0]!,
    unsubscribeUrl: "https://status.example.com/unsubscribe/tok456",
    manageUrl: "https://status.example.com/subscription/tok456",
    from: "Ticketing status <status@example.com>",
    to,
    isFirst: false,
  });
}

describe("the SMTP transport", () => {
  it("delivers a notification with both parts, one-click unsubscribe and threading headers", async () => {
    const { received, url } = await startServer();
    const transport = transportFor(url);
    const email = anEmail();

    const result = await transport.sendChunk([email], "chunk-1");

    expect(result).toEqual({ ok: true, ids: [email.headers["Message-ID"]] });
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(["reader@example.org"]);
    const parsed = await simpleParser(received[0]!.raw);
    expect(parsed.subject).toBe("[Ticketing] Webtix down on tix1 — Identified");
    expect(parsed.text).toContain("Provider rebooted the data centre.");
    expect(parsed.html).toContain("<p>Provider rebooted the data centre.</p>");
    const line = (key: string) => parsed.headerLines.filter((h) => h.key === key).map((h) => h.line);
    expect(line("list-unsubscribe")).toEqual(["List-Unsubscribe: <https://status.example.com/unsubscribe/tok456>"]);
    expect(line("list-unsubscribe-post")).toEqual(["List-Unsubscribe-Post: List-Unsubscribe=One-Click"]);
    expect(parsed.messageId).toBe(email.headers["Message-ID"]);
    expect(parsed.inReplyTo).toBe("<incident-smtpinc00001@status.example.com>");
    expect(parsed.references).toBe("<incident-smtpinc00001@status.example.com>");
  });

  it("sends chunks of one email, so a failure never hides a partly sent chunk", async () => {
    const { received, url } = await startServer();
    const transport = transportFor(url);
    expect(transport.maxChunkSize).toBe(1);
    await expect(transport.sendChunk([anEmail("a@example.org"), anEmail("b@example.org")], "k")).rejects.toThrow(
      RangeError,
    );
    expect(received).toHaveLength(0);
  });

  it("reports a 4xx reply as retryable", async () => {
    const { url } = await startServer({ code: 451, message: "Try again later" });
    const result = await transportFor(url).sendChunk([anEmail()], "chunk-451");
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toContain("451");
  });

  it("reports a 5xx reply as permanent", async () => {
    const { url } = await startServer({ code: 550, message: "No such user" });
    const result = await transportFor(url).sendChunk([anEmail()], "chunk-550");
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(!result.ok && result.error).toContain("550");
  });

  it("reports a server that cannot be reached as retryable", async () => {
    const { url } = await startServer();
    await cleanup.pop()!(); // the server is gone, its port is free
    const result = await transportFor(url).sendChunk([anEmail()], "chunk-down");
    expect(result).toMatchObject({ ok: false, retryable: true });
  });
});
