/**
 * Why an operator-chosen secret is too weak to guard the API, or null when it will do. Length alone is not enough:
 * `aaaaaaaaaaaaaaaa…` or `abcabcabc…` is long and guessed at once. A random key (`openssl rand -hex 32`, 64
 * characters) passes with room to spare.
 */
export function weakKeyReason(key: string, minLength = 32): string | null {
  if (key.length < minLength) return `must be at least ${minLength} characters`;
  if (new Set(key).size < 8) return "uses too few different characters";
  // A short pattern repeated (`abab…`, `0123456789` over and over) is no stronger than the pattern.
  for (let period = 1; period <= key.length / 2; period++) {
    if (key.slice(period) === key.slice(0, key.length - period)) return "is a short pattern repeated";
  }
  // Shannon entropy of the characters as used, at least 2.5 bits each over the minimum length: a random hex key of
  // 32 characters has about 3.5; a word with a few digits much less.
  const counts = new Map<string, number>();
  for (const ch of key) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= n * Math.log2(n / key.length);
  if (bits < 2.5 * minLength) return "is too predictable";
  return null;
}
