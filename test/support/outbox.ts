import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";

/** The emails the development transport wrote, parsed as a mail client would. */
export async function readOutbox(dir: string): Promise<ParsedMail[]> {
  let names: string[] = [];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith(".eml"))
      .sort();
  } catch {
    return [];
  }
  return Promise.all(names.map((n) => simpleParser(readFileSync(join(dir, n)))));
}

export const recipients = (mail: ParsedMail) =>
  (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) => a.value.map((v) => v.address));

/** Waits until the outbox holds at least `count` emails and returns them. */
export async function waitForOutbox(dir: string, count: number, timeoutMs = 5000): Promise<ParsedMail[]> {
  const start = Date.now();
  for (;;) {
    const mails = await readOutbox(dir);
    if (mails.length >= count) return mails;
    if (Date.now() - start > timeoutMs) throw new Error(`expected ${count} emails in ${dir}, found ${mails.length}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
