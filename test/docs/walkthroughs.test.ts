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
