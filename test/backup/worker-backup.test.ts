import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { spawnServer, wranglerStartupMs } from "@/test/support/server";

const adminKey = "mq_" + "4c9e2a7f1b8d3e6a0c5f9b2d7e1a4c8f";
const stateDir = mkdtempSync(join(tmpdir(), "marquee-d1-backup-"));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

it("npm run worker:backup copies the local D1 database and checks it like a Node backup", async () => {
  const server = await spawnServer(
    ["npm", "run", "worker:dev"],
    { WORKER_STATE_DIR: stateDir, ADMIN_API_KEY: adminKey },
    wranglerStartupMs,
  );
  try {
    const created = await fetch(`${server.base}/api/v1/incidents`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Webtix is slow" }),
    });
    expect(created.status).toBe(201);
    const env = { ...process.env, WORKER_STATE_DIR: stateDir, BACKUP_DIR: join(stateDir, "backups") };
    const taken = spawnSync(process.execPath, ["dist/node/worker-backup.mjs"], { env, encoding: "utf8" });
    expect(taken.stderr).toBe("");
    expect(taken.status).toBe(0);
    const file = taken.stdout.split("\n")[0]!;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const verified = spawnSync(process.execPath, ["dist/node/backup.mjs", "--verify", file], { env, encoding: "utf8" });
    expect(verified.status).toBe(0);
    expect(verified.stdout).toContain("is good: checksum ok");
  } finally {
    await server.stop();
  }

  const missing = spawnSync(process.execPath, ["dist/node/worker-backup.mjs"], {
    env: { ...process.env, WORKER_STATE_DIR: join(stateDir, "nowhere") },
    encoding: "utf8",
  });
  expect(missing.status).toBe(1);
  expect(missing.stderr).toContain("No local D1 database");
});
