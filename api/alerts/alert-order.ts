/**
 * What a delivered alert means, given what was last recorded for its fingerprint. Alertmanager re-sends a firing
 * alert every repeat_interval, retries failed deliveries, and (in a cluster) may deliver one notification from two
 * peers; deliveries can arrive out of order. An alert that fires again after resolving carries a new, later
 * `startsAt`, so `startsAt` orders them: a delivery about an older firing than the one recorded is stale.
 */
export type AlertMove =
  /** A new firing: the component goes down. */
  | "fire"
  /** The recorded firing (or a later one) resolved: the component comes back. */
  | "resolve"
  /** Newer news that changes nothing on the page (a firing seen again with a later start, a later resolution). */
  | "record"
  /** A repeat, or news older than what is recorded. */
  | "ignore";

type Seen = { status: "firing" | "resolved"; startsAt: number };

export function alertMove(recorded: Seen | undefined, incoming: Seen): AlertMove {
  if (!recorded) return incoming.status === "firing" ? "fire" : "record";
  const newer = incoming.startsAt > recorded.startsAt;
  if (recorded.status === "firing") {
    if (incoming.status === "resolved") return incoming.startsAt >= recorded.startsAt ? "resolve" : "ignore";
    return newer ? "record" : "ignore";
  }
  // Recorded resolved: a firing with the same start is the late copy of the one that resolved.
  if (incoming.status === "firing") return newer ? "fire" : "ignore";
  return newer ? "record" : "ignore";
}
