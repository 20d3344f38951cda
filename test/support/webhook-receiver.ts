import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";

export type Received = { headers: Record<string, string | string[] | undefined>; body: string; json: any };

export type Answer = number | { status: number; headers: Record<string, string> };

/** A webhook receiver on 127.0.0.1 that answers as it is told, in order, then `otherwise` (200). */
export async function startWebhookReceiver(answers: Answer[] = [], otherwise = 200) {
  const received: Received[] = [];
  const server: Server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    received.push({ headers: req.headers, body, json: JSON.parse(body) });
    const answer = answers.shift() ?? otherwise;
    if (typeof answer === "number") res.writeHead(answer).end();
    else res.writeHead(answer.status, answer.headers).end();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return { url, received, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/** What a receiver does with the secret it was given: recompute X-Marquee-Signature and compare in constant time. */
export function signatureValid(secret: string, r: Received): boolean {
  const [t, v1] = String(r.headers["x-marquee-signature"])
    .split(",")
    .map((p) => p.split("=")[1]!);
  const expected = createHmac("sha256", secret).update(`${t}.${r.body}`).digest("hex");
  return expected.length === v1?.length && timingSafeEqual(Buffer.from(expected), Buffer.from(v1));
}
