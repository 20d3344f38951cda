import type { Db } from "@/db/client";

/** What services need from the outside world. Each runtime entry builds one. */
export type Deps = { db: Db; clock: () => number };
