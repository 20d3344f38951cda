import { type Context, Hono } from "hono";
import { AppError, errorBody, RateLimited } from "@/api/errors";
import { recordPing } from "@/api/heartbeats/ping";
import { settleHeartbeat } from "@/api/heartbeats/settle";
import { clientAddress } from "@/api/middleware/client-address";
import { commit } from "@/api/services/effects";
import type { HeartbeatPingKind } from "@/db/vocabulary";
import type { AppDeps } from "@/api/app";

/** The part of a POST body kept as the ping's log; the rest is read and dropped, up to `maxBodyBytes`. */
export const keptBodyBytes = 10_000;
const maxBodyBytes = 1024 * 1024;

/**
 * Heartbeat pings (docs/api.md): `/ping/{token}`, `/start`, `/fail`, `/{exit code}`, by GET, POST or HEAD, as
 * `curl -fsS -m 10 --retry 3` sends them. The answer is the same for every heartbeat and names none; an unknown
 * token gets one answer whatever the token.
 */
export function pingRoutes(deps: AppDeps) {
  const log = deps.log ?? console.error;
  const afterAnswer =
    deps.afterAnswer ??
    ((work: () => Promise<unknown>) =>
      setTimeout(() => work().catch((e: unknown) => log(`heartbeat failed: ${(e as Error)?.stack ?? e}`)), 0));

  const ping = async (c: Context, kind: HeartbeatPingKind, exitCode: number | null) => {
    const result = await recordPing(deps, {
      token: c.req.param("token")!,
      kind,
      exitCode,
      method: c.req.method,
      clientAddress: clientAddress(c),
      userAgent: c.req.header("user-agent")?.slice(0, 200) ?? null,
      body: c.req.method === "POST" ? await readPrefix(c.req.raw) : null,
    });
    if (result.outcome === "limited")
      throw new RateLimited("Too many pings: try again later", result.retryAfterSeconds);
    if (result.outcome === "unknown") {
      return c.json(errorBody("not_found", "No heartbeat has this ping URL"), 404, { "cache-control": "no-store" });
    }
    if (result.settle) afterAnswer(() => commit(deps, settleHeartbeat(deps, result.heartbeatId)));
    return c.text("OK\n", 200, { "cache-control": "no-store" });
  };

  const methods = ["GET", "POST"]; // Hono answers HEAD with the GET route, without the body.
  return new Hono()
    .on(methods, "/ping/:token", (c) => ping(c, "success", null))
    .on(methods, "/ping/:token/start", (c) => ping(c, "start", null))
    .on(methods, "/ping/:token/fail", (c) => ping(c, "fail", null))
    .on(methods, "/ping/:token/:code{[0-9]+}", (c) => {
      const code = Number(c.req.param("code"));
      if (code > 255) throw new AppError("bad_request", "An exit code is a number from 0 to 255");
      return ping(c, code === 0 ? "success" : "fail", code);
    });
}

/** The first `keptBodyBytes` of a body, as text; reads on up to `maxBodyBytes` so the client can finish sending. */
async function readPrefix(request: Request): Promise<string | null> {
  if (!request.body) return null;
  const reader = request.body.getReader();
  const kept: Uint8Array[] = [];
  let keptSize = 0;
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += value.byteLength;
      if (keptSize < keptBodyBytes) {
        const part = value.subarray(0, keptBodyBytes - keptSize);
        kept.push(part);
        keptSize += part.byteLength;
      }
      if (seen >= maxBodyBytes) {
        await reader.cancel();
        break;
      }
    }
  } catch {
    // A body cut off mid-way still counts as the ping it was.
  }
  if (keptSize === 0) return null;
  const all = new Uint8Array(keptSize);
  let at = 0;
  for (const part of kept) all.set(part, (at += part.byteLength) - part.byteLength);
  return new TextDecoder().decode(all);
}
