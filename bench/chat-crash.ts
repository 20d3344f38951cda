import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { api, startMarquee, waitFor } from "./lib";
import { startStrictPlatforms } from "./chat";

type Report = (line: string) => void;
const platforms = ["slack", "discord", "teams", "google_chat"] as const;

/**
 * `npm run bench -- chat-crash`: how often a crash makes a chat post go twice. Each run queues one update for 1,000
 * channels, kills the server with SIGKILL at a random moment of the delivery, starts it again and counts, per channel,
 * the posts the fake platforms accepted.
 */
export async function chatCrashBenchmark(report: Report, runs = Number(process.env.CHAT_CRASH_RUNS) || 5) {
  report(`\n## Chat: SIGKILL during a 1,000-channel delivery, ${runs} runs\n`);
  let totalDuplicates = 0;
  let totalLost = 0;
  for (let run = 1; run <= runs; run++) {
    const dataDir = mkdtempSync(join(tmpdir(), "marquee-bench-chat-crash-"));
    const fake = await startStrictPlatforms();
    const env = { ALLOW_PRIVATE_WEBHOOKS: "true" };
    let marquee = await startMarquee(dataDir, env);
    try {
      for (let i = 0; i < 1000; i++) {
        const type = platforms[i % 4]!;
        await api(marquee.base, "POST", "/channels", { type, url: fake.url(type, `h${i}`), purpose: "broadcast" });
      }
      await api(marquee.base, "POST", "/incidents", { name: "Webtix down on tix1" });
      const killAfter = 50 + Math.floor(Math.random() * 900);
      await waitFor(async () => fake.accepted.size >= killAfter, 60_000, 1);
      marquee.child.kill("SIGKILL");
      await new Promise((ok) => marquee.child.once("exit", ok));
      const db = new Database(join(dataDir, "marquee.db"), { readonly: true });
      const posting = (
        db.prepare("select count(*) as n from chat_posts where status = 'posting'").get() as { n: number }
      ).n;
      db.close();
      marquee = await startMarquee(dataDir, env);
      await waitFor(async () => fake.accepted.size === 1000, 120_000, 20);
      const check = new Database(join(dataDir, "marquee.db"), { readonly: true });
      await waitFor(async () => {
        const row = check.prepare("select count(*) as n from chat_posts where status <> 'sent'").get() as { n: number };
        return row.n === 0;
      }, 60_000);
      check.close();
      const duplicates = [...fake.accepted.values()].reduce((n, k) => n + k - 1, 0);
      const lost = 1000 - fake.accepted.size;
      totalDuplicates += duplicates;
      totalLost += lost;
      report(
        `run ${run}: killed after ${killAfter} accepted, ${posting} posts \`posting\` at the kill; lost ${lost}, duplicates ${duplicates}`,
      );
    } finally {
      await marquee.stop();
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  report(`total: ${runs} kills, ${runs * 1000} posts: lost ${totalLost}, duplicates ${totalDuplicates}`);
}
