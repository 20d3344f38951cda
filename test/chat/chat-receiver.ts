import { createServer, type Server } from "node:http";

export type ChatReply = { status: number; body?: string; headers?: Record<string, string> };
export type ChatReceived = { url: string; json: any };

/**
 * A local receiver on 127.0.0.1 that answers like a chat platform: the given replies in order, then `otherwise`.
 * `platformOk` holds each platform's documented success.
 */
export async function startChatReceiver(replies: ChatReply[], otherwise: ChatReply) {
  const received: ChatReceived[] = [];
  const server: Server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    received.push({ url: req.url ?? "", json: JSON.parse(body) });
    const reply = replies.shift() ?? otherwise;
    res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? "");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { base, received, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

export const platformOk = {
  slack: { status: 200, body: "ok", headers: { "content-type": "text/html" } },
  discord: { status: 204 },
  teams: { status: 202 },
  google_chat: {
    status: 200,
    body: '{"name":"spaces/AAAA/messages/x.y"}',
    headers: { "content-type": "application/json" },
  },
} satisfies Record<string, ChatReply>;
