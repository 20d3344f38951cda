import type { Db } from "@/db/client";

/**
 * What services need from the outside world. Each runtime entry builds one; the HTTP app's deps add the publisher,
 * the senders and the page store to it. `siteUrl` is SITE_URL: the page's public address when the operator set one
 * (links, feeds, emails), else the address the page settings hold.
 */
export type Deps = { db: Db; clock: () => number; siteUrl?: string };
