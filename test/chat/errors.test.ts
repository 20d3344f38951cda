import { describe, expect, it } from "vitest";
import { classifyChatAnswer, classifyChatFailure, defaultRetryAfterMs, maxRetryAfterMs } from "@/api/chat/errors";
import type { ChatPlatform } from "@/api/chat/platforms";
import { OutboundRefused } from "@/api/outbound/url-check";

const now = Date.UTC(2026, 10, 30, 3, 0, 0);
const answer = (status: number, body = "", headers: Record<string, string> = {}) => ({
  status,
  body,
  headers: new Headers(headers),
});
const classify = (platform: ChatPlatform, status: number, body = "", headers: Record<string, string> = {}) =>
  classifyChatAnswer(platform, answer(status, body, headers), now);

describe("classifying chat platforms' answers", () => {
  it("each platform's success is ok", () => {
    expect(classify("slack", 200, "ok")).toEqual({ kind: "ok" });
    expect(classify("discord", 204)).toEqual({ kind: "ok" });
    expect(classify("teams", 202)).toEqual({ kind: "ok" });
    expect(classify("google_chat", 200, '{"name":"spaces/A/messages/B"}')).toEqual({ kind: "ok" });
  });

  it("a removed, archived or revoked Slack hook is permanent, with Slack's code as the reason", () => {
    expect(classify("slack", 404, "no_service")).toEqual({ kind: "permanent", reason: "slack 404 no_service" });
    expect(classify("slack", 410, "channel_is_archived")).toEqual({
      kind: "permanent",
      reason: "slack 410 channel_is_archived",
    });
    expect(classify("slack", 403, "invalid_token")).toMatchObject({ kind: "permanent" });
    expect(classify("slack", 403, "action_prohibited")).toMatchObject({ kind: "permanent" });
  });

  it("a payload Slack refuses is rejected without disabling the channel", () => {
    expect(classify("slack", 400, "invalid_payload")).toEqual({
      kind: "rejected",
      reason: "slack 400 invalid_payload",
    });
  });

  it("a deleted Discord webhook or a bad token is permanent", () => {
    expect(classify("discord", 404, '{"message": "Unknown Webhook", "code": 10015}')).toEqual({
      kind: "permanent",
      reason: "discord 404 10015",
    });
    expect(classify("discord", 401, '{"message": "Invalid Webhook Token", "code": 50027}')).toMatchObject({
      kind: "permanent",
    });
    expect(classify("discord", 400, '{"message": "Invalid Form Body", "code": 50035}')).toMatchObject({
      kind: "rejected",
    });
  });

  it("Teams and Google Chat 404 and 403 are permanent", () => {
    expect(classify("teams", 404)).toEqual({ kind: "permanent", reason: "teams 404" });
    expect(classify("teams", 403)).toMatchObject({ kind: "permanent" });
    expect(classify("google_chat", 404, '{"error":{"code":404,"status":"NOT_FOUND"}}')).toEqual({
      kind: "permanent",
      reason: "google_chat 404 NOT_FOUND",
    });
    expect(classify("google_chat", 403, '{"error":{"code":403,"status":"PERMISSION_DENIED"}}')).toMatchObject({
      kind: "permanent",
    });
    expect(
      classify("google_chat", 400, '{"error":{"status":"INVALID_ARGUMENT","details":[{"reason":"API_KEY_INVALID"}]}}'),
    ).toMatchObject({ kind: "permanent" });
    expect(classify("google_chat", 400, '{"error":{"status":"INVALID_ARGUMENT"}}')).toMatchObject({ kind: "rejected" });
  });

  it("a 429 waits as long as Retry-After says, in seconds or as a date", () => {
    expect(classify("slack", 429, "rate_limited", { "Retry-After": "30" })).toEqual({
      kind: "rate_limited",
      reason: "slack 429 rate_limited",
      retryAfterMs: 30_000,
    });
    const at = new Date(now + 90_000).toUTCString();
    expect(classify("teams", 429, "", { "Retry-After": at })).toMatchObject({ retryAfterMs: 90_000 });
    expect(classify("google_chat", 429)).toMatchObject({ retryAfterMs: defaultRetryAfterMs });
    expect(classify("slack", 429, "", { "Retry-After": "999999" })).toMatchObject({ retryAfterMs: maxRetryAfterMs });
  });

  it("Discord's JSON retry_after (seconds, a float) wins over its rounded header", () => {
    const body = '{"message": "You are being rate limited.", "retry_after": 0.35, "global": false}';
    expect(classify("discord", 429, body, { "Retry-After": "1" })).toMatchObject({
      kind: "rate_limited",
      retryAfterMs: 350,
    });
  });

  it("Teams throttling reported inside a 200 body is a rate limit", () => {
    const body = "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429";
    expect(classify("teams", 200, body)).toMatchObject({ kind: "rate_limited" });
  });

  it("server errors, timeouts, resets and refused addresses are transient, with a reason that names no address", () => {
    expect(classify("slack", 500, "rollup_error")).toEqual({ kind: "transient", reason: "slack 500 rollup_error" });
    expect(classify("discord", 502, "<html>bad gateway</html>")).toEqual({ kind: "transient", reason: "discord 502" });
    expect(classifyChatFailure("teams", new DOMException("timed out", "TimeoutError"))).toEqual({
      kind: "transient",
      reason: "teams timed out",
    });
    expect(classifyChatFailure("slack", new TypeError("fetch failed"))).toMatchObject({ kind: "transient" });
    expect(classifyChatFailure("slack", new OutboundRefused("the host does not resolve to a public address"))).toEqual({
      kind: "transient",
      reason: "slack refused: the host does not resolve to a public address",
    });
    const reset = Object.assign(new Error("connect ECONNREFUSED 10.0.0.7:443"), { code: "ECONNREFUSED" });
    expect(classifyChatFailure("discord", reset)).toEqual({ kind: "transient", reason: "discord connection failed" });
  });

  it("a reason never carries a long or multi-line body", () => {
    const outcome = classify("slack", 403, "x".repeat(5000));
    expect(outcome).toEqual({ kind: "permanent", reason: "slack 403" });
  });
});
