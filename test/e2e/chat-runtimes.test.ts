import { afterAll, beforeAll, describe, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runChatScenario } from "./scenario";
import { removeDataDir, spawnServer, wranglerStartupMs } from "@/test/support/server";
import { startFakePlatforms } from "@/test/chat/fake-platforms";

const adminKey = "e2e-chat-admin-key-0123456789-vq7w2kx9";

/**
 * The chat scenario on both runtimes as users start them. Apart from runtimes.test.ts because the fake platforms
 * listen on 127.0.0.1, which takes ALLOW_PRIVATE_WEBHOOKS (that suite proves such URLs are refused without it).
 */
const runtimes = [
  {
    name: "npm start (Node)",
    command: ["npm", "start"],
    stateVariable: "DATA_DIR",
    startupMs: 120_000,
    tick: async () => {},
  },
  {
    name: "npm run worker:dev (Workers + D1)",
    command: ["npm", "run", "worker:dev"],
    stateVariable: "WORKER_STATE_DIR",
    startupMs: wranglerStartupMs,
    tick: async (base: string) => {
      await fetch(`${base}/__scheduled?cron=*+*+*+*+*`);
    },
  },
];

describe.each(runtimes)("$name", ({ command, stateVariable, startupMs, tick }) => {
  let server: Awaited<ReturnType<typeof spawnServer>>;
  let fake: Awaited<ReturnType<typeof startFakePlatforms>>;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "marquee-e2e-chat-"));
    fake = await startFakePlatforms();
    server = await spawnServer(
      command,
      { [stateVariable]: stateDir, ADMIN_API_KEY: adminKey, SITE_URL: "", ALLOW_PRIVATE_WEBHOOKS: "true" },
      startupMs,
    );
  }, startupMs + 30_000);

  afterAll(async () => {
    await server?.stop();
    await fake?.close();
    removeDataDir(stateDir);
  }, 60_000);

  it("a broadcast channel on each platform gets the update as its native message", async () => {
    await runChatScenario(server.base, adminKey, fake, () => tick(server.base));
  }, 120_000);
});
