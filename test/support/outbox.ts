import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { waitUntil } from "./wait";

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
export async function waitForOutbox(dir: string, count: number): Promise<ParsedMail[]> {
  let found = 0;
  return waitUntil(async () => {
    const mails = await readOutbox(dir);
    found = mails.length;
    return mails.length >= count ? mails : undefined;
  }, `expected ${count} emails in ${dir}`).catch((error: Error) => {
    throw new Error(`${error.message}, found ${found}`);
  });
}
