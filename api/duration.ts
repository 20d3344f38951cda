const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30s", "15m", "6h", "1d" in milliseconds; null when it is not one of those. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * units[match[2]!]!;
  return ms > 0 ? ms : null;
}
