import { describe, expect, it } from "vitest";
import { createLogTransport } from "@/api/notify/log-transport";
import { confirmationEmail, incidentEmail } from "@/api/notify/templates";
import { makeIncident, makePage } from "@/test/support/views";

const subscriberToken = "abcdefghij12.0123456789abcdef0123456789abcdef";
const confirmToken = "f".repeat(24) + "0123456789abcdef".repeat(2) + "e".repeat(8);

describe("the log transport (npm run worker:dev)", () => {
  it("prints each email without its recipient and without the tokens of its links", async () => {
    const lines: string[] = [];
    const transport = createLogTransport((text) => lines.push(text));
    const incident = makeIncident({ id: "loginc000001", name: "Webtix down" }, [
      { status: "investigating", body: "Looking into it." },
    ]);
    const email = incidentEmail({
      page: makePage({ name: "Ticketing" }),
      incident,
      update: incident.updates[0]!,
      unsubscribeUrl: `https://status.example.com/unsubscribe/${subscriberToken}`,
      manageUrl: `https://status.example.com/manage/${subscriberToken}`,
      from: "status@example.com",
      to: "jane.doe@example.org",
      isFirst: true,
    });

    expect(await transport.sendChunk([email], "n1/0")).toEqual({ ok: true, ids: ["log-1"] });

    const [text] = lines as [string];
    expect(text).toContain("Subject: [Ticketing] Webtix down");
    expect(text).toContain("Looking into it.");
    expect(text).toContain("https://status.example.com/unsubscribe/[token]");
    expect(text).not.toContain(subscriberToken);
    expect(text).not.toContain("0123456789abcdef0123456789abcdef");
    expect(text).not.toContain("jane.doe");
  });

  it("takes the token out of a confirmation link", async () => {
    const lines: string[] = [];
    const transport = createLogTransport((text) => lines.push(text));
    const email = confirmationEmail({
      page: makePage({ name: "Ticketing" }),
      confirmUrl: `https://status.example.com/subscribe/confirm/${confirmToken}`,
      from: "status@example.com",
      to: "jane.doe@example.org",
    });
    await transport.sendChunk([email], "c1/0");
    expect(lines[0]).toContain("https://status.example.com/subscribe/confirm/[token]");
    expect(lines[0]).not.toContain(confirmToken);
    expect(lines[0]).not.toContain("jane.doe");
  });
});
