/** What a request was for, as the request counter labels it. */
export type RequestKind = "page" | "api" | "console" | "subscription" | "other";

const subscriptionPrefixes = ["/subscribe", "/unsubscribe/", "/manage/"];

/**
 * Classifies by path alone, so the label set stays small whatever clients send. A GET or HEAD outside the named
 * areas that found something is a published page (status page, incident pages, feeds, /api/v2 JSON, badges); one
 * that found nothing, and everything else, is "other".
 */
export function requestKind(method: string, path: string, status: number): RequestKind {
  if (path === "/api/v1" || path.startsWith("/api/v1/")) return "api";
  if (path === "/admin" || path.startsWith("/admin/")) return "console";
  if (subscriptionPrefixes.some((p) => path === p || path.startsWith(p.endsWith("/") ? p : `${p}/`)))
    return "subscription";
  if (path === "/metrics" || path === "/healthz" || path.startsWith("/webhooks/") || path.startsWith("/ping/"))
    return "other";
  if ((method === "GET" || method === "HEAD") && status < 400) return "page";
  return "other";
}

/** "2xx", "3xx", "4xx", "5xx". */
export const statusClass = (status: number) => `${Math.floor(status / 100)}xx`;
