import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rawGet, spawnServer } from "@/test/support/server";
import { adminKey, api, startMarquee, waitFor, wrk } from "./lib";

/**
 * The Workers build under `wrangler dev` (workerd and a local D1, one process) against the Node server, same machine,
 * same wrk, same run; and the D1 statements behind each kind of staff write, from the worker's own count.
 */
export async function workerBenchmark(report: (line: string) => void) {
  const work = mkdtempSync(join(tmpdir(), "marquee-bench-worker-"));
  const node = await startMarquee(join(work, "node"));
  const quiet = { WRANGLER_LOG_LEVEL: "log", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
  const worker = await spawnServer(
    ["node", "scripts/worker-dev.mjs"],
    {
      ...quiet,
      WORKER_STATE_DIR: join(work, "worker"),
      ADMIN_API_KEY: adminKey,
      EMAIL_TRANSPORT: "log",
      D1_QUERY_LOG: "1",
    },
    90_000,
  );
  // The reference: a worker that answers each request with the very bytes and headers Marquee's worker sent for
  // it, from a constant. It is the most local workerd does for that response, whatever the worker computes.
  const copies: Record<string, { body: number[]; encoding: string | null; type: string }> = {};
  for (const path of ["/", "/api/v2/summary.json"]) {
    for (const encoding of ["identity", "gzip"]) {
      const res = await rawGet(`${worker.base}${path}`, encoding === "gzip" ? { "accept-encoding": "gzip" } : {});
      copies[`${path} ${encoding}`] = {
        body: [...res.body],
        encoding: (res.headers["content-encoding"] as string | undefined) ?? null,
        type: res.headers["content-type"]!,
      };
    }
  }
  const helloDir = join(work, "hello");
  mkdirSync(helloDir);
  writeFileSync(
    join(helloDir, "hello.js"),
    `const copies = ${JSON.stringify(copies)};
for (const c of Object.values(copies)) c.body = new Uint8Array(c.body);
export default {
  fetch(request) {
    const gzip = (request.cf?.clientAcceptEncoding ?? "").includes("gzip");
    const c = copies[new URL(request.url).pathname + (gzip ? " gzip" : " identity")] ?? copies["/ identity"];
    const headers = { "content-type": c.type, ...(c.encoding && { "content-encoding": c.encoding }) };
    return new Response(c.body, { headers, encodeBody: "manual" });
  },
};
`,
  );
  writeFileSync(
    join(helloDir, "wrangler.toml"),
    'name = "copy"\nmain = "hello.js"\ncompatibility_date = "2025-09-01"\n',
  );
  const hello = await spawnServer(
    [
      join(process.cwd(), "node_modules/.bin/wrangler"),
      "dev",
      "--cwd",
      helloDir,
      "--ip",
      "127.0.0.1",
      "--log-level",
      "log",
    ],
    quiet,
    60_000,
    (port) => ["--port", String(port), "--inspector-port", String(port + 1)],
  );
  try {
    report("\n## Workers: `wrangler dev` against the Node server (wrk -t2 -c64, 8 s per run, 2 runs each)\n");
    report(
      "The reference for the worker is a worker that answers with a constant copy of the bytes and headers " +
        "Marquee's worker sent for the same request, under the same `wrangler dev`: what local workerd can do " +
        "for that response at all. Node is the same page from `npm start`.\n",
    );
    report(
      "| request | copy worker req/s | Marquee worker req/s | Marquee worker / copy worker | Node req/s | worker / Node |",
    );
    report("|---|---:|---:|---:|---:|---:|");
    const average = (xs: number[]) => xs.reduce((a, b) => a + b) / xs.length;
    for (const path of ["/", "/api/v2/summary.json"]) {
      for (const [label, headers] of [
        ["identity", []],
        ["gzip", ["Accept-Encoding: gzip"]],
      ] as const) {
        const [h, w, n]: number[][] = [[], [], []];
        for (let round = 0; round < 2; round++) {
          h.push(wrk(`${hello.base}${path}`, [...headers]));
          w.push(wrk(`${worker.base}${path}`, [...headers]));
          n.push(wrk(`${node.base}${path}`, [...headers]));
        }
        const [hr, wr, nr] = [average(h), average(w), average(n)];
        report(
          `| \`${path}\` ${label} | ${hr.toFixed(0)} | ${wr.toFixed(0)} | **${(wr / hr).toFixed(2)}** | ${nr.toFixed(0)} | ${(wr / nr).toFixed(3)} |`,
        );
      }
    }

    // Each write once, with one subscriber so that notifying is part of what runs after the answer. The first
    // request may meet a keep-alive connection the worker closed during the load: it is allowed to fail.
    await fetch(`${worker.base}/healthz`).catch(() => {});
    await fetch(`${worker.base}/subscribe`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "reader@example.com" }),
    });
    const components = (await api(worker.base, "GET", "/components")) as { id: string; name: string }[];
    const tix1 = components.find((c) => c.name === "tix1")!.id;
    const opened = (await api(worker.base, "POST", "/incidents", {
      name: "Bench incident",
      body: "Investigating.",
      components: { [tix1]: "major_outage" },
    })) as { id: string };
    await api(worker.base, "POST", `/incidents/${opened.id}/updates`, { status: "identified", body: "Found it." });
    await api(worker.base, "PATCH", `/components/${components.find((c) => c.name === "tix2")!.id}`, {
      status: "degraded_performance",
    });
    const writes = [
      "POST /api/v1/incidents:",
      `POST /api/v1/incidents/${opened.id}/updates:`,
      "PATCH /api/v1/components/",
    ];
    await waitFor(async () => writes.every((w) => worker.output().includes(`d1 ${w}`)), 10_000);
    report("\n### D1 statements per staff write (calls = round trips; a batch is one call)\n");
    report("| write | to answer | after the answer (publish, send) |\n|---|---:|---:|");
    for (const line of worker.output().split("\n")) {
      const m = line.match(
        /d1 (POST|PATCH) (\S+): answer (\d+) statements in (\d+) calls; after it (\d+) statements in (\d+) calls/,
      );
      if (!m || !m[2]!.startsWith("/api/v1/")) continue;
      const what = m[2]!.replace(opened.id, ":id").replace(/components\/\w+/, "components/:id");
      report(`| ${m[1]} ${what} | ${m[3]} in ${m[4]} calls | ${m[5]} in ${m[6]} calls |`);
    }
  } finally {
    await node.stop();
    await worker.stop();
    await hello.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
