import { describe, expect, it } from "vitest";
import {
  type IncidentMessageView,
  discordIncidentMessage,
  googleChatIncidentMessage,
  slackIncidentMessage,
  teamsIncidentMessage,
} from "@/api/chat/messages";
import { discordStaffAlert, googleChatStaffAlert, slackStaffAlert, teamsStaffAlert } from "@/api/chat/staff-messages";

const sample: IncidentMessageView = {
  incidentId: "inc_42",
  name: "Webtix is down in one data centre",
  status: "identified",
  impact: "major",
  components: [
    { name: "tix1", status: "major_outage" },
    { name: "Webtix", status: "partial_outage" },
  ],
  body: "The provider **rebooted** a data centre. See [their status](https://status.provider.example/x?a=1&b=2).\n\n- tix2 works\n- tix3 works",
  incidentUrl: "https://status.example.com/incidents/inc_42",
  manageUrl: "https://status.example.com/channels/manage/tok",
  pageName: "Ticketing Status",
};

// Everything an attacker could type in an update or an incident name.
const hostile: IncidentMessageView = {
  ...sample,
  name: "<!channel> @everyone <script>",
  components: [{ name: "<@123> & co", status: "major_outage" }],
  body: "Hi <!channel> and <!here> @channel @everyone <users/all> <script>alert(1)</script> [click](javascript:alert(1)) [x](data:text/html,1) {{DATE(2017-02-14T06:08:00Z)}}",
};

type SlackBlock = { type: string; text?: { type: string; text: string }; elements?: { text: string }[] };
// Every mrkdwn text of a message (the header is plain_text, which Slack never parses for mentions or links).
const slackTexts = (m: ReturnType<typeof slackIncidentMessage>) =>
  [
    m.text,
    ...(m.blocks as SlackBlock[]).flatMap((b) => [
      b.text?.type === "mrkdwn" ? b.text.text : "",
      ...(b.elements ?? []).map((e) => e.text),
    ]),
  ].join("\n");

describe("Slack Block Kit message", () => {
  it("has the name as header, the status, the components, the body in mrkdwn and both links", () => {
    const m = slackIncidentMessage(sample);
    const blocks = m.blocks as SlackBlock[];
    expect(blocks.map((b) => b.type)).toEqual(["header", "section", "section", "section", "context"]);
    expect(blocks[0]!.text).toEqual({ type: "plain_text", text: sample.name, emoji: false });
    expect(blocks[1]!.text!.text).toBe("*Identified · Major impact*");
    expect(blocks[2]!.text!.text).toBe("• tix1: Major Outage\n• Webtix: Partial Outage");
    expect(blocks[3]!.text!.text).toBe(
      "The provider *rebooted* a data centre. See <https://status.provider.example/x?a=1&amp;b=2|their status>.\n• tix2 works\n• tix3 works",
    );
    expect(blocks[4]!.elements![0]!.text).toBe(
      "<https://status.example.com/incidents/inc_42|View incident> · <https://status.example.com/channels/manage/tok|Manage or unsubscribe>",
    );
    expect(m.text).toBe("Ticketing Status: Webtix is down in one data centre (Identified)");
  });

  it("escapes &, < and > and defuses broadcast mentions; unsafe links stay text", () => {
    const m = slackIncidentMessage(hostile);
    expect((m.blocks as SlackBlock[])[0]!.text!.type).toBe("plain_text");
    const all = slackTexts(m);
    expect(all).not.toMatch(/<!(channel|here)/);
    expect(all).not.toMatch(/<script|<@|<users/);
    expect(all).toContain("&lt;!channel&gt;");
    expect(all).not.toMatch(/@(channel|everyone)\b/);
    expect(all).toContain("@\u200Beveryone");
    expect(all).not.toContain("<javascript:");
    expect(all).not.toContain("|click>");
    expect(all).toContain("&lt;@123&gt; &amp; co");
  });
});

describe("Discord embed", () => {
  it("is an embed coloured by status, linked to the incident, that can ping nobody", () => {
    const m = discordIncidentMessage(sample);
    expect(m.allowed_mentions).toEqual({ parse: [] });
    const [embed] = m.embeds;
    expect(embed!.title).toBe(sample.name);
    expect(embed!.url).toBe(sample.incidentUrl);
    expect(embed!.color).toBe(0xef6c00);
    expect(discordIncidentMessage({ ...sample, status: "resolved" }).embeds[0]!.color).toBe(0x2e7d32);
    expect(embed!.description).toBe(
      "The provider **rebooted** a data centre. See [their status](https://status.provider.example/x?a=1&b=2).\n- tix2 works\n- tix3 works",
    );
    expect(embed!.fields.map((f) => f.name)).toEqual(["Status", "Affected components", "Subscription"]);
    expect(embed!.fields[1]!.value).toBe("- tix1: Major Outage\n- Webtix: Partial Outage");
    expect(embed!.fields[2]!.value).toBe("[Manage or unsubscribe](https://status.example.com/channels/manage/tok)");
  });

  it("escapes Markdown and mentions so a body cannot ping, link or hide anything", () => {
    const m = discordIncidentMessage(hostile);
    const all = JSON.stringify(m.embeds);
    expect(all).not.toMatch(/(?<!\\\\)<@/);
    expect(m.embeds[0]!.description).toContain("@\u200Beveryone");
    expect(m.embeds[0]!.description).toContain("\\[click\\]\\(javascript:alert\\(1\\)\\)");
    expect(m.embeds[0]!.description).not.toMatch(/(?<!\\)\]\(javascript/);
  });
});

describe("Teams Adaptive Card", () => {
  it("is an Adaptive Card in the Workflows attachment envelope", () => {
    const m = teamsIncidentMessage(sample);
    expect(m.type).toBe("message");
    expect(m.attachments).toHaveLength(1);
    const { contentType, content } = m.attachments[0]!;
    expect(contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(content.type).toBe("AdaptiveCard");
    const body = content.body as { type: string; text?: string; facts?: { title: string; value: string }[] }[];
    expect(body.map((b) => b.type)).toEqual(["TextBlock", "FactSet", "TextBlock"]);
    expect(body[0]!.text).toBe(sample.name);
    expect(body[1]!.facts).toEqual([
      { title: "Status", value: "Identified" },
      { title: "Impact", value: "Major impact" },
      { title: "tix1", value: "Major Outage" },
      { title: "Webtix", value: "Partial Outage" },
    ]);
    expect(body[2]!.text).toBe(
      "The provider **rebooted** a data centre. See [their status](https://status.provider.example/x?a=1&b=2).\n\n- tix2 works\n\n- tix3 works",
    );
    expect(content.actions).toEqual([
      { type: "Action.OpenUrl", title: "View incident", url: sample.incidentUrl },
      { type: "Action.OpenUrl", title: "Manage or unsubscribe", url: sample.manageUrl },
    ]);
  });

  it("keeps card functions and unsafe links as text", () => {
    const text = (teamsIncidentMessage(hostile).attachments[0]!.content.body as { text?: string }[])[2]!.text!;
    expect(text).not.toContain("{{DATE");
    expect(text).toContain("\\[click\\](javascript:alert(1))");
    expect(text).toContain("@\u200Beveryone");
  });
});

describe("Google Chat card", () => {
  it("is a cardsV2 card threaded by incident", () => {
    const m = googleChatIncidentMessage(sample);
    expect(m.thread).toEqual({ threadKey: "marquee-incident-inc_42" });
    expect(m.cardsV2).toHaveLength(1);
    const { cardId, card } = m.cardsV2[0]!;
    expect(cardId).toBe("incident-inc_42");
    expect(card.header).toEqual({ title: sample.name, subtitle: "Ticketing Status · Identified · Major impact" });
    const sections = card.sections as { header?: string; widgets: Record<string, any>[] }[];
    expect(sections[0]!.header).toBe("Affected components");
    expect(sections[0]!.widgets[0]!.textParagraph.text).toBe("• tix1: Major Outage<br>• Webtix: Partial Outage");
    expect(sections[1]!.widgets[0]!.textParagraph.text).toBe(
      'The provider <b>rebooted</b> a data centre. See <a href="https://status.provider.example/x?a=1&amp;b=2">their status</a>.<br>• tix2 works<br>• tix3 works',
    );
    expect(sections[2]!.widgets[0]!.buttonList.buttons.map((b: any) => b.onClick.openLink.url)).toEqual([
      sample.incidentUrl,
      sample.manageUrl,
    ]);
  });

  it("escapes HTML so a body cannot inject tags, links or a mention of everyone", () => {
    const m = googleChatIncidentMessage(hostile);
    const all = JSON.stringify(m);
    expect(all).not.toMatch(/<script|<users|<!channel|href=\\"javascript/);
    expect(all).toContain("&lt;script&gt;");
    expect(m.text).not.toContain("<");
  });
});

describe("length limits with a 20 KB body", () => {
  const paragraph = "Customers could not buy tickets & box offices <waited>. ";
  const long = {
    ...sample,
    body: "**Update:** " + paragraph.repeat(Math.ceil(20_000 / paragraph.length)) + "[end](https://x.example/end)",
  };
  const readMore = (s: string) =>
    s.endsWith(`|Read more>`) ||
    s.endsWith("](https://status.example.com/incidents/inc_42)") ||
    s.endsWith(`">Read more</a>`);
  const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).length;

  it("Slack cuts the body section at 3,000 characters with a read-more link, never inside an escape", () => {
    const text = (slackIncidentMessage(long).blocks as SlackBlock[])[3]!.text!.text;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text.length).toBeGreaterThan(2800);
    expect(text).toMatch(/… <https:\/\/status\.example\.com\/incidents\/inc_42\|Read more>$/);
    expect(text.replace(/&(amp|lt|gt);/g, "")).not.toMatch(/&|<(?!https:)/);
    expect(text.startsWith("*Update:*")).toBe(true);
  });

  it("Discord keeps the description within 4,096 and the embed within 6,000 characters", () => {
    const [embed] = discordIncidentMessage(long).embeds;
    expect(embed!.description.length).toBeLessThanOrEqual(4096);
    const total =
      embed!.title.length +
      embed!.description.length +
      embed!.footer.text.length +
      embed!.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);
    expect(readMore(embed!.description)).toBe(true);
    expect(embed!.description).not.toMatch(/\\$/);
  });

  it("Teams and Google Chat carry a 20 KB body whole, within their byte limits", () => {
    const teams = teamsIncidentMessage(long);
    expect(bytes(teams)).toBeLessThanOrEqual(28_000);
    expect((teams.attachments[0]!.content.body as { text?: string }[])[2]!.text!).toMatch(
      /\[end\]\(https:\/\/x\.example\/end\)$/,
    );
    const google = googleChatIncidentMessage(long);
    expect(bytes(google)).toBeLessThanOrEqual(32_000);
    const text = (google.cardsV2[0]!.card.sections as any[])[1].widgets[0].textParagraph.text as string;
    expect(text).toMatch(/^<b>Update:<\/b>.*<a href="https:\/\/x\.example\/end">end<\/a>$/s);
  });

  it("Teams cuts at 28 KB and Google Chat at 32,000 bytes, counted in UTF-8 bytes of the JSON", () => {
    // Multi-byte characters and escapes: what counts is the size on the wire, not the number of characters.
    const heavy = { ...sample, body: "**Update:** " + 'Zürich «données» & <ok> "q" ✓ '.repeat(2000) };
    const teams = teamsIncidentMessage(heavy);
    expect(bytes(teams)).toBeLessThanOrEqual(28_000);
    expect(bytes(teams)).toBeGreaterThan(27_000);
    expect(readMore((teams.attachments[0]!.content.body as { text?: string }[])[2]!.text!)).toBe(true);
    const google = googleChatIncidentMessage(heavy);
    expect(bytes(google)).toBeLessThanOrEqual(32_000);
    expect(bytes(google)).toBeGreaterThan(31_000);
    const text = (google.cardsV2[0]!.card.sections as any[])[1].widgets[0].textParagraph.text as string;
    expect(readMore(text)).toBe(true);
    expect(text.replace(/&(amp|lt|gt|quot);/g, "")).not.toMatch(/&/);
  });

  it("a cut inside bold closes it, and a link that does not fit is left out whole", () => {
    const bold = { ...sample, body: "**" + "word ".repeat(1000).trim() + "**" };
    const text = (slackIncidentMessage(bold).blocks as SlackBlock[])[3]!.text!.text;
    expect(text).toMatch(/^\*word .*word\* … <https:\/\/status\.example\.com\/incidents\/inc_42\|Read more>$/s);
    const links = {
      ...sample,
      body: "x".repeat(2950) + " [a long link text](https://example.com/" + "p".repeat(200) + ")",
    };
    const cut = (slackIncidentMessage(links).blocks as SlackBlock[])[3]!.text!.text;
    expect(cut).not.toContain("example.com/p");
    expect(cut.length).toBeLessThanOrEqual(3000);
  });

  it("a header longer than Slack's 150 characters is clipped with an ellipsis", () => {
    const m = slackIncidentMessage({ ...sample, name: "n".repeat(400) });
    const header = (m.blocks as SlackBlock[])[0]!.text!.text;
    expect(Array.from(header)).toHaveLength(150);
    expect(header.endsWith("…")).toBe(true);
  });
});

describe("staff alert messages", () => {
  const alert = {
    subject: "Backup check failed",
    text: "Row counts differ <users> & @everyone\n".repeat(600),
    link: "https://status.example.com/admin/backups",
    pageName: "Ticketing Status",
  };

  it("each platform cuts a long alert within its limits and points to the alert's link", () => {
    const slack = slackStaffAlert(alert);
    const section = (slack.blocks as SlackBlock[])[1]!.text!.text;
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section).toMatch(/ … <https:\/\/status\.example\.com\/admin\/backups\|details>$/);
    expect(section).not.toMatch(/<users|@everyone/);
    const discord = discordStaffAlert(alert);
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    expect(discord.embeds[0]!.description.length).toBeLessThanOrEqual(4096);
    const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).length;
    expect(bytes(teamsStaffAlert({ ...alert, text: alert.text.repeat(3) }))).toBeLessThanOrEqual(28_000);
    const google = googleChatStaffAlert({ ...alert, text: alert.text.repeat(3) });
    expect(bytes(google)).toBeLessThanOrEqual(32_000);
    expect(JSON.stringify(google)).not.toContain("<users");
  });

  it("an alert without a link has no button and no read-more link", () => {
    const slack = slackStaffAlert({ ...alert, text: "short", link: null });
    expect((slack.blocks as SlackBlock[])[2]!.elements![0]!.text).toBe("Staff alert from Ticketing Status");
    expect(teamsStaffAlert({ ...alert, link: null }).attachments[0]!.content.actions).toEqual([]);
  });
});
