import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { startServer } from "@/test/support/server";

const sh = promisify(execFile);
const adminKey = "7d2f9c4a1e8b6035c9a7e2f14b8d6c3a";
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The first ```sh block after a heading, as a reader copies it. */
function shellBlock(file: string, heading: string): string {
  const text = readFileSync(file, "utf8");
  const after = text.slice(text.indexOf(heading));
  return /```sh\n([\s\S]*?)```/.exec(after)![1]!;
}

async function start() {
  const dataDir = mkdtempSync(join(tmpdir(), "marquee-walkthrough-"));
  const server = await startServer({ DATA_DIR: dataDir, ADMIN_API_KEY: adminKey });
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }), server.stop);
  const port = new URL(server.base).port;
  const api = (path: string) =>
    fetch(`${server.base}/api/v1${path}`, { headers: { authorization: `Bearer ${adminKey}` } }).then((r) => r.json());
  return { dataDir, port, api };
}

describe("the README's walkthrough", () => {
  it("run twice on one day opens and resolves two incidents, and leaves tix1 operational", async () => {
    const { port, api } = await start();
    const script = shellBlock("README.md", "## Post an incident")
      .replace(/^KEY=.*$/m, `KEY=${adminKey}`)
      .replaceAll("localhost:3000", `localhost:${port}`);
    const runs = [];
    for (let i = 0; i < 2; i++) runs.push(await sh("bash", ["-e", "-c", script]));
    for (const { stdout } of runs) expect(stdout).not.toMatch(/"error"/);

    const incidents = (await api("/incidents")) as { name: string; status: string; id: string }[];
    const opened = incidents.filter((i) => i.name === "Webtix down on tix1");
    expect(opened).toHaveLength(2);
    expect(new Set(opened.map((i) => i.id)).size).toBe(2);
    expect(opened.map((i) => i.status)).toEqual(["resolved", "resolved"]);
    const components = (await api("/components")) as { name: string; status: string }[];
    expect(components.find((c) => c.name === "tix1")!.status).toBe("operational");
  });
});

describe("the README's automatic status", () => {
  it("creates tix1's monitor and a heartbeat whose crontab line pings it", async () => {
    const { port, api } = await start();
    const script = shellBlock("README.md", "## Let Marquee watch tix1")
      .replace(/^KEY=.*$/m, `KEY=${adminKey}`)
      .replaceAll("localhost:3000", `localhost:${port}`);
    const { stdout } = await sh("bash", ["-e", "-c", script]);
    expect(stdout).not.toMatch(/"error"/);
    const components = (await api("/components")) as { id: string; name: string }[];
    const tix1 = components.find((c) => c.name === "tix1")!.id;
    const monitors = (await api("/monitors")) as Record<string, unknown>[];
    expect(monitors).toMatchObject([
      { name: "tix1", type: "http", interval_seconds: 30, component_id: tix1, incident: "publish", notify: true },
    ]);
    const heartbeats = (await api("/heartbeats")) as { name: string; state: string }[];
    expect(heartbeats).toMatchObject([{ name: "tix1 backup", state: "new" }]);
    // The crontab line the README prints, run as cron would once the backup succeeded.
    const line = stdout.trim().split("\n").at(-1)!;
    expect(line).toMatch(
      /^0 4 \* \* \* \/usr\/local\/bin\/backup-tix1 && curl -fsS -m 10 --retry 3 http:\/\/localhost:\d+\/ping\/\S+$/,
    );
    await sh("bash", ["-e", "-c", line.replace(/^.*&& /, "")]);
    expect(((await api("/heartbeats")) as { state: string }[])[0]!.state).toBe("up");
  });
});

describe("docs/email.md on a fresh machine", () => {
  it("finds the confirmation email in the outbox, however soon after the answer it looks", async () => {
    const { dataDir, port } = await start();
    const script = shellBlock("docs/email.md", "## Trying it on a fresh machine")
      .replaceAll("localhost:3000", `localhost:${port}`)
      .replaceAll("data/outbox", `${dataDir}/outbox`);
    const { stdout } = await sh("bash", ["-e", "-o", "pipefail", "-c", script]);
    expect(stdout).toMatch(/\.eml\n/);
    expect(stdout).toMatch(new RegExp(`http://localhost:${port}/subscribe/confirm/[0-9a-f]+\\n$`));
  });
});
