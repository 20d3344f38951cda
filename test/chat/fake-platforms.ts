import { createServer, type Server } from "node:http";
import type { ChatPlatform } from "@/api/chat/platforms";
import { platformOk, type ChatReply } from "./chat-receiver";

export type FakePost = { platform: ChatPlatform; hook: string; url: string; json: any; problems: string[] };

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** What each platform refuses (docs/chat.md, /work reference): the fake reports it instead of a 400. */
export function shapeProblems(platform: ChatPlatform, url: string, json: any): string[] {
  const p: string[] = [];
  const need = (ok: unknown, what: string) => (ok ? undefined : p.push(what));
  if (platform === "slack") {
    need(Array.isArray(json.blocks) && json.blocks.length <= 50, "≤ 50 blocks");
    need(typeof json.text === "string" && json.text.length <= 40_000, "text fallback");
    for (const b of json.blocks ?? []) {
      if (b.type === "header") need(b.text?.type === "plain_text" && b.text.text.length <= 150, "header ≤ 150");
      if (b.type === "section") need(b.text?.text.length <= 3000, "section ≤ 3000");
    }
  } else if (platform === "discord") {
    need(new URL(url, "http://x").searchParams.get("wait") === "true", "?wait=true");
    need(Array.isArray(json.embeds) && json.embeds.length >= 1 && json.embeds.length <= 10, "1–10 embeds");
    let total = 0;
    for (const e of json.embeds ?? []) {
      need((e.title ?? "").length <= 256, "title ≤ 256");
      need((e.description ?? "").length <= 4096, "description ≤ 4096");
      need((e.fields ?? []).length <= 25, "≤ 25 fields");
      for (const f of e.fields ?? []) need(f.name.length <= 256 && f.value.length <= 1024, "field limits");
      total += (e.title ?? "").length + (e.description ?? "").length + (e.footer?.text ?? "").length;
      total += (e.fields ?? []).reduce((n: number, f: any) => n + f.name.length + f.value.length, 0);
    }
    need(total <= 6000, "≤ 6000 characters over all embeds");
    need(Array.isArray(json.allowed_mentions?.parse), "allowed_mentions");
  } else if (platform === "teams") {
    need(json.type === "message", "type message");
    const a = json.attachments?.[0];
    need(a?.contentType === "application/vnd.microsoft.card.adaptive", "Adaptive Card attachment");
    need(a?.content?.type === "AdaptiveCard" && Array.isArray(a.content.body), "AdaptiveCard body");
    need(bytes(json) <= 28_000, "≤ 28 KB");
  } else {
    need(Array.isArray(json.cardsV2) && json.cardsV2[0]?.card?.sections, "cardsV2");
    need(bytes(json) <= 32_000, "≤ 32,000 bytes");
    const option = new URL(url, "http://x").searchParams.get("messageReplyOption");
    need(json.thread === undefined || option === "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD", "messageReplyOption");
  }
  return p;
}

/**
 * Local fake chat platforms on 127.0.0.1: `/<platform>/<hook>` is one webhook. Each hook answers its queued replies,
 * then the platform's success; `hold` keeps answers back until released; `inFlight`/`maxInFlight` count open requests.
 */
export async function startFakePlatforms() {
  const posts: FakePost[] = [];
  const replies = new Map<string, ChatReply[]>();
  let held: (() => void)[] = [];
  const state = { hold: new Set<string>(), inFlight: 0, maxInFlight: 0 };
  const server: Server = createServer(async (req, res) => {
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    let body = "";
    for await (const chunk of req) body += chunk;
    const [, platform, hook] = new URL(req.url ?? "/", "http://x").pathname.split("/") as [
      string,
      ChatPlatform,
      string,
    ];
    const json = JSON.parse(body);
    posts.push({ platform, hook, url: req.url ?? "", json, problems: shapeProblems(platform, req.url ?? "", json) });
    if (state.hold.has(hook) || state.hold.has("*")) await new Promise<void>((ok) => held.push(ok));
    const reply: ChatReply = replies.get(hook)?.shift() ?? platformOk[platform];
    state.inFlight -= 1;
    res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? "");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    state,
    posts,
    url: (platform: ChatPlatform, hook: string) => `${base}/${platform}/${hook}?key=k&token=t`,
    reply: (hook: string, ...r: ChatReply[]) => replies.set(hook, [...(replies.get(hook) ?? []), ...r]),
    release() {
      state.hold.clear();
      for (const ok of held.splice(0)) ok();
      held = [];
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
