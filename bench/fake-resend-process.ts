// Plays Resend for the notify benchmark from its own process, at the lowest CPU priority (nice 19) when asked. Resend
// does its work on its own machines; here it shares the benchmark's two cores with Marquee and the readers, and at 100
// batches a second its share (reading, hashing and parsing 430 KB a batch) is as large as Marquee's. At nice 19 it
// takes what the others leave: it can slow the fan-out (Marquee waits for its answers), never speed it up. Where it
// enforces a rate limit it runs at normal priority: a fake that reads requests late sees paced ones bunched.
// `tsx bench/fake-resend-process.ts '<FakeResendOptions as JSON>' '<subject part>' [nice]`; prints the fake's URL,
// then answers `GET /stats` on a second port with what it accepted.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setPriority } from "node:os";
import { startFakeResend } from "@/test/support/fake-resend";

export type FakeStats = {
  /** Emails whose subject has the part asked about. */
  matching: number;
  /** Of those, sent to a `bystander…` address (one who must not get them). */
  bystanders: number;
  /** Of those, sent to an address that already had one. */
  twice: number;
  /** Requests to /emails/batch, and how many were answered 429. */
  calls: number;
  refused: number;
};

const [options = "{}", subjectPart = "", nice = "0"] = process.argv.slice(2);
const fake = await startFakeResend(JSON.parse(options));
setPriority(Number(nice));

const stats: FakeStats = { matching: 0, bystanders: 0, twice: 0, calls: 0, refused: 0 };
const seen = new Set<string>();
let read = 0;
function update() {
  for (; read < fake.accepted.length; read++) {
    const email = fake.accepted[read]!;
    if (!email.subject.includes(subjectPart)) continue;
    stats.matching++;
    if (email.to.startsWith("bystander")) stats.bystanders++;
    if (seen.has(email.to)) stats.twice++;
    seen.add(email.to);
  }
  const batches = fake.requests.filter((r) => r.path === "/emails/batch");
  stats.calls = batches.length;
  stats.refused = batches.filter((r) => r.status === 429).length;
  return stats;
}

const control = createServer((_req, res) => res.end(JSON.stringify(update())));
control.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${fake.url} http://127.0.0.1:${(control.address() as AddressInfo).port}\n`);
});
