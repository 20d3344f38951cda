import type { PageInfo } from "@/present/views";

/** The sender of Marquee's emails when EMAIL_FROM is not set: the page's name at its own host. */
export function defaultFrom(page: PageInfo): string {
  const host = new URL(page.url).hostname;
  return `${page.name.replace(/[^\p{L}\p{N} .-]/gu, "")} Status <status@${host.includes(".") ? host : `${host}.invalid`}>`;
}
