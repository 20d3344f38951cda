// Looks for a keyword in a body as it streams in: at most `capBytes` are ever looked at (and so read), and reading
// stops at the first match. Bytes, not text: the keyword is matched as UTF-8, case-sensitively, which needs no
// decoding and finds a keyword that a chunk boundary splits.

export const keywordCapBytes = 1024 * 1024;
const encoder = new TextEncoder();

export type KeywordScan = {
  /** Looks at the next chunk. True once the keyword has been seen. */
  push(chunk: Uint8Array): boolean;
  /** True once the cap is reached: what comes after is not searched, so there is nothing more to read. */
  readonly full: boolean;
  readonly found: boolean;
};

export function scanForKeyword(keyword: string, capBytes = keywordCapBytes): KeywordScan {
  const needle = encoder.encode(keyword);
  let seen = 0;
  let found = needle.length === 0;
  // The end of what came before, short of one whole match: a match may start there and end in the next chunk.
  let tail: Uint8Array = new Uint8Array(0);
  return {
    get full() {
      return seen >= capBytes;
    },
    get found() {
      return found;
    },
    push(chunk) {
      if (found || seen >= capBytes) return found;
      const part = chunk.byteLength > capBytes - seen ? chunk.subarray(0, capBytes - seen) : chunk;
      seen += part.byteLength;
      const haystack = tail.byteLength ? concat(tail, part) : part;
      found = indexOf(haystack, needle) >= 0;
      const keep = Math.min(needle.length - 1, haystack.byteLength);
      tail = haystack.slice(haystack.byteLength - keep);
      return found;
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array) {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** The first index of `needle` in `haystack`, or -1; scans for the first byte natively, then compares. */
export function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  if (first === undefined) return 0;
  const last = haystack.byteLength - needle.byteLength;
  for (let i = haystack.indexOf(first); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.byteLength && haystack[i + j] === needle[j]) j++;
    if (j === needle.byteLength) return i;
  }
  return -1;
}
