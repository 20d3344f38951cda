// Development mail: each email becomes an RFC 5322 .eml file in DATA_DIR/outbox (open it in any mail client), and
// each chunk one log line with counts only: no recipient's address goes to the log. The message is built by nodemailer's stream transport, so its headers are byte for byte what the
// SMTP transport would send.
//
// A retried chunk must not leave duplicates, so each file is named after a hash of (idempotencyKey, index): the
// same email of the same chunk always maps to the same name and is written once, whenever the retry happens.
import { createHash } from "node:crypto";
import { mkdir, readdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";
import type { SendMailOptions } from "nodemailer";
import type { ChunkResult, MailTransport, OutgoingEmail } from "@/api/notify/transport";
import { toMailOptions } from "@/api/notify/smtp-transport";

export type DevTransportOptions = {
  dir: string;
  log: (line: string) => void;
  /** The clock for file names; only the name's first part depends on it. */
  now?: () => number;
};

const shortId = (key: string, index: number) =>
  createHash("sha256").update(`${key}\0${index}`).digest("hex").slice(0, 12);

/** `someone@example.com` → `someone@example.com`; anything a file system might object to becomes `_`. */
const sanitize = (address: string) =>
  address
    .toLowerCase()
    .replace(/[^a-z0-9@._+-]/g, "_")
    .slice(0, 64);

export function createDevTransport({ dir, log, now = Date.now }: DevTransportOptions): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });

  async function existingFiles(): Promise<Map<string, string>> {
    // Only Marquee's user may read the outbox: the emails hold addresses and subscribers' links (docs/security.md).
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const byId = new Map<string, string>();
    for (const name of await readdir(dir)) {
      const match = /-([0-9a-f]{12})\.eml$/.exec(name);
      if (match) byId.set(match[1]!, name);
    }
    return byId;
  }

  async function write(email: OutgoingEmail, options: SendMailOptions, id: string): Promise<string> {
    const { message } = await composer.sendMail(options);
    const stamp = new Date(now()).toISOString().replace(/[:.]/g, "-");
    const name = `${stamp}-${sanitize(email.to)}-${id}.eml`;
    // Written aside and renamed, so a crash mid-write never leaves a half file that a retry would take as sent.
    const partial = join(dir, `.${name}.partial`);
    await writeFile(partial, message as Buffer, { mode: 0o600 });
    await rename(partial, join(dir, name));
    return name;
  }

  return {
    name: "dev",
    requestsPerSecond: 100,
    async sendChunk(emails: OutgoingEmail[], idempotencyKey: string): Promise<ChunkResult> {
      let options: SendMailOptions[];
      try {
        options = emails.map(toMailOptions);
      } catch (err) {
        // A header with a line break: the same chunk would fail the same way.
        return { ok: false, retryable: false, error: (err as Error).message };
      }
      try {
        const written = await existingFiles();
        const ids: string[] = [];
        let fresh = 0;
        for (const [index, email] of emails.entries()) {
          const id = shortId(idempotencyKey, index);
          const earlier = written.get(id);
          ids.push(earlier ?? (fresh++, await write(email, options[index]!, id)));
        }
        if (fresh > 0) log(`${fresh} email${fresh === 1 ? "" : "s"} (${emails[0]!.subject}) written to ${dir}`);
        return { ok: true, ids };
      } catch (err) {
        // A full disk or a bad directory: nothing about the email is wrong, so the chunk may be tried again.
        return { ok: false, retryable: true, error: `dev outbox: ${(err as Error).message}` };
      }
    },
  };
}
