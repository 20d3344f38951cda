import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";
import { startNodeServer } from "@/api/node-runtime";
import { waitUntil } from "@/test/support/wait";

const key = "mirror-test-admin-key-0123456789abcdefghijklmnopqrstuv";
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "marquee-mirror-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The whole Node server, as `npm start` runs it, with a mirror configured by `env`. */
async function start(env: Record<string, string>, dataDir = tempDir()) {
  const config = parseConfig({ PORT: "0", DATA_DIR: dataDir, ADMIN_API_KEY: key, ...env });
  const server = await startNodeServer(config, () => {});
  cleanups.push(server.close);
  const base = `http://127.0.0.1:${server.port}`;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBeLessThan(300);
    return res.json();
  };
  const health = async () => (await fetch(`${base}/healthz`)).json();
  const components = (await api("GET", "/api/v1/components")) as { id: string; name: string }[];
  const tix = (name: string) => components.find((c) => c.name === name)!.id;
  return { server, base, api, health, tix, dataDir };
}

/** Every file under `dir`, relative to it. */
const filesIn = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));

/** A component's status as the mirror's copy of components.json tells it. */
function mirroredStatus(dir: string, id: string): string | undefined {
  try {
    const doc = JSON.parse(readFileSync(join(dir, "api/v2/components.json"), "utf8"));
    return doc.components.find((c: { id: string }) => c.id === id)?.status;
  } catch {
    return undefined;
  }
}

/**
 * A command that records each run (its arguments, one JSON line) and then waits until `gate` exists: a test holds
 * a run open for as long as it likes, without guessing how long anything takes.
 */
function recordingCommand(dir: string) {
  const script = join(dir, "record.mjs");
  const runs = join(dir, "runs.log");
  const gate = join(dir, "gate");
  writeFileSync(
    script,
    `import { appendFileSync, existsSync } from "node:fs";
appendFileSync(${JSON.stringify(runs)}, JSON.stringify(process.argv.slice(2)) + "\\n");
const wait = () => (existsSync(${JSON.stringify(gate)}) ? process.exit(0) : setTimeout(wait, 10));
wait();
`,
  );
  writeFileSync(gate, "");
  const lines = () =>
    existsSync(runs)
      ? readFileSync(runs, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as string[])
      : [];
  return {
    command: `"${process.execPath}" "${script}" --first`,
    runs: lines,
    close: () => rmSync(gate, { force: true }),
    open: () => writeFileSync(gate, ""),
  };
}

describe("the mirror", () => {
  it("gets each write through the API, posts its subscribe form to SITE_URL and holds no internal file", async () => {
    const mirror = join(tempDir(), "public");
    const umask = process.umask(0o077); // as `npm start` sets it
    cleanups.push(() => void process.umask(umask));
    const s = await start({ MIRROR_DIR: mirror, SITE_URL: "https://status.example.com" });
    const patched = Date.now();
    await s.api("PATCH", `/api/v1/components/${s.tix("tix1")}`, { status: "major_outage" });
    await waitUntil(() => mirroredStatus(mirror, s.tix("tix1")) === "major_outage", "the mirror shows the outage");
    // The update that placed summary.json goes on placing the other pages: the files are read once it is done.
    await waitUntil(
      async () => Date.parse((await s.health()).mirror?.last_ok_at ?? "") >= patched,
      "the mirror's update after the write finished",
    );

    const index = readFileSync(join(mirror, "index.html"), "utf8");
    expect(index).toContain('action="https://status.example.com/subscribe"');
    expect(index).toContain("copy of the status page");
    // The live page keeps posting to itself.
    expect(await (await fetch(`${s.base}/`)).text()).toContain('action="/subscribe"');

    // Public, for a web server running as another user, though Marquee's own files are its user's alone.
    expect(statSync(join(mirror, "index.html")).mode & 0o777).toBe(0o644);
    expect(statSync(join(mirror, "api/v2")).mode & 0o777).toBe(0o755);
    const files = filesIn(mirror);
    expect(files).toContain("index.html");
    expect(files).toContain("index.html.gz");
    expect(files.filter((f) => /\.(etag|tmp)$|published\.json$|marquee-tmp$|mirror-files/.test(f))).toEqual([]);
    await waitUntil(async () => (await s.health()).mirror?.last_ok_at, "/healthz tells when the mirror was updated");
    expect((await s.health()).mirror.last_error).toBeNull();
  });

  it("has its form taken by the live page, though it comes from another site", async () => {
    const s = await start({ MIRROR_DIR: join(tempDir(), "public"), SITE_URL: "https://status.example.com" });
    const res = await fetch(`${s.base}/subscribe`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "https://mirror.example.net",
        "sec-fetch-site": "cross-site",
      },
      body: "email=reader%40example.com",
    });
    expect(res.status).toBe(202);
  });

  it("without SITE_URL leaves the subscribe form out and says where to subscribe", async () => {
    const mirror = join(tempDir(), "public");
    const s = await start({ MIRROR_DIR: mirror });
    await waitUntil(() => existsSync(join(mirror, "index.html")), "the mirror has the page");
    const index = readFileSync(join(mirror, "index.html"), "utf8");
    expect(index).not.toContain("<form");
    expect(index).toContain("subscribe on the live status page");
    expect(await (await fetch(`${s.base}/`)).text()).toContain('action="/subscribe"');
  });

  it("turns a burst of 20 writes into far fewer command runs, each given the folder as its last argument", async () => {
    const work = tempDir();
    const mirror = join(work, "a dir $(touch pwned) ; x");
    const cmd = recordingCommand(work);
    const s = await start({ MIRROR_DIR: mirror, MIRROR_COMMAND: cmd.command });
    await waitUntil(async () => (await s.health()).mirror?.last_ok_at, "the first update is done");
    await s.server.mirror!.idle();
    const before = cmd.runs().length;

    // One update is held open inside the command; everything written meanwhile waits for one more.
    cmd.close();
    await s.api("PATCH", `/api/v1/components/${s.tix("tix2")}`, { status: "degraded_performance" });
    await waitUntil(() => cmd.runs().length > before, "an update runs the command");
    const statuses = ["partial_outage", "operational", "degraded_performance"] as const;
    for (let i = 0; i < 20; i++) {
      await s.api("PATCH", `/api/v1/components/${s.tix("tix3")}`, {
        status: i === 19 ? "major_outage" : statuses[i % 3],
      });
    }
    cmd.open();
    await waitUntil(() => mirroredStatus(mirror, s.tix("tix3")) === "major_outage", "the mirror shows the last write");
    await s.server.mirror!.idle();

    const runs = cmd.runs().slice(before);
    expect(runs.length).toBeLessThanOrEqual(3);
    expect(runs.every((args) => args.length === 2 && args[0] === "--first" && args[1] === mirror)).toBe(true);
    expect(existsSync(join(work, "pwned"))).toBe(false);
    const live = await (await fetch(`${s.base}/api/v2/components.json`)).text();
    expect(readFileSync(join(mirror, "api/v2/components.json"), "utf8")).toBe(live);
  });

  it("reports a failing command on /healthz, without its arguments, and keeps publishing", async () => {
    const mirror = join(tempDir(), "public");
    const s = await start({
      MIRROR_DIR: mirror,
      MIRROR_COMMAND: `"${process.execPath}" -e "process.exit(3)" -- --token=s3cret`,
    });
    const health = await waitUntil(async () => {
      const h = await s.health();
      return h.mirror?.last_error ? h : undefined;
    }, "the failure is reported");
    expect(health.mirror.last_error).toMatch(/MIRROR_COMMAND \(\S+\) exited with code 3/);
    expect(health.mirror.last_error).not.toContain("s3cret");

    await s.api("PATCH", `/api/v1/components/${s.tix("tix5")}`, { status: "major_outage" });
    await waitUntil(async () => {
      const doc = await (await fetch(`${s.base}/api/v2/components.json`)).json();
      return doc.components.find((c: { id: string }) => c.id === s.tix("tix5")).status === "major_outage";
    }, "the live page is published");
    const res = await fetch(`${s.base}/healthz`);
    expect(res.status).toBe(200);
    expect((await res.json()).publish_error).toBeNull();
  });

  it("leaves a directory holding files it did not put there untouched, and says so", async () => {
    const mirror = tempDir();
    writeFileSync(join(mirror, "keep-me.txt"), "mine");
    const s = await start({ MIRROR_DIR: mirror });
    const health = await waitUntil(async () => {
      const h = await s.health();
      return h.mirror?.last_error ? h : undefined;
    }, "the refusal is reported");
    expect(health.mirror.last_error).toContain("keep-me.txt");
    expect(filesIn(mirror)).toEqual(["keep-me.txt"]);
  });

  it("refuses to start with a MIRROR_DIR holding Marquee's data", async () => {
    const dataDir = tempDir();
    await expect(start({ MIRROR_DIR: dataDir }, dataDir)).rejects.toThrow(/MIRROR_DIR/);
    await expect(start({ MIRROR_DIR: join(dataDir, "site") }, dataDir)).rejects.toThrow(/MIRROR_DIR/);
  });

  it("refuses a MIRROR_COMMAND it cannot split, naming the variable", () => {
    expect(() => parseConfig({ MIRROR_COMMAND: "rsync 'unclosed" })).toThrow(/MIRROR_COMMAND/);
  });
});
