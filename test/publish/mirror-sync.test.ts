import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { syncMirror } from "@/api/publish/mirror-sync";

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function dirs() {
  const root = mkdtempSync(join(tmpdir(), "marquee-mirror-sync-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const stage = join(root, "stage");
  const write = (f: string, text: string) => {
    mkdirSync(dirname(join(stage, f)), { recursive: true });
    writeFileSync(join(stage, f), text);
  };
  return { stage, target: join(root, "public"), record: join(root, "mirror-files.json"), write };
}

describe("bringing the mirror directory up to date", () => {
  it("copies public files only, and removes a page once it is gone from the rendered set", async () => {
    const d = dirs();
    for (const f of ["index.html", "index.html.gz", "incidents/a/index.html", "incidents/a/index.html.br"]) {
      d.write(f, f);
    }
    d.write("index.html.etag", "tag");
    d.write(".published.json", "{}");
    d.write("index.html.tmp", "half");
    await syncMirror(d.stage, d.target, d.record, "all");
    expect(readFileSync(join(d.target, "incidents/a/index.html"), "utf8")).toBe("incidents/a/index.html");
    for (const f of ["index.html.etag", ".published.json", "index.html.tmp"])
      expect(existsSync(join(d.target, f))).toBe(false);

    rmSync(join(d.stage, "incidents"), { recursive: true });
    d.write("index.html", "new front page");
    await syncMirror(d.stage, d.target, d.record, ["index.html", "incidents/a/index.html"]);
    expect(readFileSync(join(d.target, "index.html"), "utf8")).toBe("new front page");
    expect(existsSync(join(d.target, "incidents/a/index.html"))).toBe(false);
    expect(existsSync(join(d.target, "incidents/a/index.html.br"))).toBe(false);
  });

  it("never deletes a file someone put in the directory after the mirror started", async () => {
    const d = dirs();
    d.write("index.html", "page");
    await syncMirror(d.stage, d.target, d.record, "all");
    writeFileSync(join(d.target, "robots.txt"), "theirs");
    rmSync(join(d.stage, "index.html"));
    await syncMirror(d.stage, d.target, d.record, "all");
    expect(readFileSync(join(d.target, "robots.txt"), "utf8")).toBe("theirs");
    expect(existsSync(join(d.target, "index.html"))).toBe(false);
  });

  it("takes up again after an update cut short, without taking its own files for someone else's", async () => {
    const d = dirs();
    d.write("index.html", "page");
    await syncMirror(d.stage, d.target, d.record, "all");
    // As a crash between the claim and the copy leaves it: a claimed file there, no other record.
    writeFileSync(d.record, JSON.stringify({ dir: d.target, files: ["index.html", "history/index.html"] }));
    mkdirSync(join(d.target, "history"));
    writeFileSync(join(d.target, "history/index.html"), "half a run");
    await syncMirror(d.stage, d.target, d.record, "all");
    expect(existsSync(join(d.target, "history/index.html"))).toBe(false);
    expect(readFileSync(join(d.target, "index.html"), "utf8")).toBe("page");
  });
});
