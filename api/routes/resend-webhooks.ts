import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError, errorBody } from "@/api/errors";
import { handleResendEvent, verifyResendSignature } from "@/api/services/resend-webhooks";
import type { AppDeps } from "@/api/app";

/** Resend's delivery events (POST /webhooks/resend), signed with RESEND_WEBHOOK_SECRET. */
export function resendWebhookRoutes(deps: AppDeps) {
  const limit = bodyLimit({
    maxSize: 256 * 1024,
    onError: (c) => c.json(errorBody("payload_too_large", "Webhook bodies are limited to 256 KB"), 413),
  });
  return new Hono().post("/webhooks/resend", limit, async (c) => {
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
