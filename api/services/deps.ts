import type { Db } from "@/db/client";
import type { Outbound } from "@/api/outbound/outbound";

/**
 * What services need from the outside world. Each runtime entry builds one; the HTTP app's deps add the publisher,
 * the senders and the page store to it. `siteUrl` is SITE_URL: the page's public address when the operator set one
 * (links, feeds, emails), else the address the page settings hold.
 */
export type Deps = {
  db: Db;
  clock: () => number;
  siteUrl?: string;
  /**
   * The only way to a URL a user supplied (api/outbound). Each runtime passes its own; without one, the strict
   * fetch-based guard is used, which refuses private IP literals and local names but cannot check what names resolve to.
   */
  outbound?: Outbound;
};
