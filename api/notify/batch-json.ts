// The JSON body of a Resend batch request, written straight to UTF-8 bytes. A chunk's body is about 100 times the
// same update: JSON.stringify of the whole array and then its encoding to UTF-8 cost most of a chunk's work and
// left megabytes of garbage per chunk behind, which held up the readers of the page during a fan-out. Here the large
// pieces of the bodies (see EmailBody), which a notification's emails share, are escaped and encoded once per batch;
// everything else is escaped into short strings between them; and the batch is written into one buffer, reused
// from batch to batch (see createBatchWriter).
import type { EmailBody, OutgoingEmail } from "./transport";

const encoder = new TextEncoder();

/** Pieces at least this long are encoded once per batch and copied; shorter ones are escaped in place. */
const sharedPieceLength = 256;

/** A JSON string's content without its quotes. */
const escaped = (value: string) => JSON.stringify(value).slice(1, -1);

/**
 * `emails` as the JSON array Resend's batch endpoint takes, byte for byte what `JSON.stringify` writes for the same
 * emails with their fields in the order of Resend's SDK (from, headers, html, subject, text, to), so a chunk sent
 * again after an upgrade still matches its idempotency key.
 */
export function encodeBatch(emails: readonly OutgoingEmail[]): Uint8Array<ArrayBuffer> {
  const segments = batchSegments(emails);
  return write(segments, new Uint8Array(room(segments)));
}

// Sizes are rounded up to a multiple of this, so that batches of slightly different sizes fit the same buffers.
const bufferStep = 64 * 1024;

/**
 * Encodes batches into buffers it takes back once their request is answered. A fresh 400 KB buffer per batch is
 * memory outside V8's heap, and V8 answers its growth with full collections: about one a second during a fan-out,
 * each holding up every reader of the page.
 */
export function createBatchWriter(keep: number) {
  const free: Uint8Array<ArrayBuffer>[] = [];
  return {
    encode(emails: readonly OutgoingEmail[]): Uint8Array<ArrayBuffer> {
      const segments = batchSegments(emails);
      const needed = room(segments);
      const index = free.findIndex((buffer) => buffer.byteLength >= needed);
      const buffer =
        index >= 0 ? free.splice(index, 1)[0]! : new Uint8Array(Math.ceil(needed / bufferStep) * bufferStep);
      return write(segments, buffer);
    },
    /** Gives a body back once nothing reads it any more (its request was answered, failed or timed out). */
    release(body: Uint8Array<ArrayBuffer>) {
      if (free.length < keep) free.push(new Uint8Array(body.buffer));
    },
  };
}

type Segment = string | Uint8Array;

function batchSegments(emails: readonly OutgoingEmail[]): Segment[] {
  const encoded = new Map<string, Uint8Array>();
  const segments: Segment[] = [];
  let json = "[";
  const piece = (value: string) => {
    if (value.length < sharedPieceLength) {
      json += escaped(value);
      return;
    }
    let bytes = encoded.get(value);
    if (bytes === undefined) {
      bytes = encoder.encode(escaped(value));
      encoded.set(value, bytes);
    }
    segments.push(json, bytes);
    json = "";
  };
  const body = (value: EmailBody) => {
    json += '"';
    for (const p of typeof value === "string" ? [value] : value) piece(p);
    json += '"';
  };

  emails.forEach((email, index) => {
    json += `${index === 0 ? "" : ","}{"from":${JSON.stringify(email.from)},"headers":${JSON.stringify(email.headers)},"html":`;
    body(email.html);
    json += `,"subject":${JSON.stringify(email.subject)},"text":`;
    body(email.text);
    json += `,"to":${JSON.stringify([email.to])}}`;
  });
  segments.push(json + "]");
  return segments;
}

/** Bytes enough for the segments: a UTF-16 unit takes at most 3 bytes in UTF-8. */
function room(segments: readonly Segment[]): number {
  let bytes = 0;
  for (const s of segments) bytes += typeof s === "string" ? s.length * 3 : s.length;
  return bytes;
}

/** The segments at the start of `out`: strings encoded in place, bytes copied. */
function write(segments: readonly Segment[], out: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  let offset = 0;
  for (const s of segments) {
    if (typeof s === "string") {
      offset += encoder.encodeInto(s, out.subarray(offset)).written;
    } else {
      out.set(s, offset);
      offset += s.length;
    }
  }
  return out.subarray(0, offset);
}
