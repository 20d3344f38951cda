import { Hono } from "hono";
import { AppError } from "@/api/errors";
import { handleResendEvent, verifyResendSignature } from "@/api/services/resend-webhooks";
import type { AppDeps } from "@/api/app";

/** Resend's delivery events (POST /webhooks/resend), signed with RESEND_WEBHOOK_SECRET. */
export function webhookRoutes(deps: AppDeps) {
  return new Hono().post("/webhooks/resend", async (c) => {
    if (!deps.resendWebhookSecret)
      throw new AppError("not_found", "Resend webhooks are not set up: set RESEND_WEBHOOK_SECRET");
    const raw = await c.req.text();
    const id = c.req.header("svix-id");
    await verifyResendSignature(
      deps.resendWebhookSecret,
      { id, timestamp: c.req.header("svix-timestamp"), signature: c.req.header("svix-signature") },
      raw,
      deps.clock(),
    );
    let event: unknown;
    try {
      event = JSON.parse(raw);
    } catch {
      throw new AppError("invalid_json", "The webhook body is not valid JSON");
    }
    return c.json(await handleResendEvent(deps, id!, event as Parameters<typeof handleResendEvent>[2]));
  });
}
