import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Frame, type Page } from "playwright-core";
import { resolveChromium } from "./chromium";
import { exited, startServer } from "./server";

const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * The system's chromium when there is one, else the one npm installs (MARQUEE_CHROMIUM chooses; see chromium.ts).
 * playwright-core downloads no browser of its own. Fails, never skips: a browser suite that silently does not run
 * proves nothing.
 */
export async function launchChromium(setting?: string): Promise<Browser> {
  const { executablePath, env } = await resolveChromium(setting);
  return chromium.launch({ executablePath, args: chromiumArgs, env: env && { ...process.env, ...env } });
}

/** The built server on a free port with a fresh DATA_DIR (its development outbox is dataDir/outbox). */
export async function startMarquee(adminKey: string) {
  const dataDir = mkdtempSync(join(tmpdir(), "marquee-browser-"));
  const server = await startServer({ DATA_DIR: dataDir, ADMIN_API_KEY: adminKey, SITE_URL: "" });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = res.status === 204 ? null : await res.json();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  return {
    base: server.base,
    outbox: join(dataDir, "outbox"),
    api,
    /** A component of the seeded page by name. */
    component: async (name: string) =>
      ((await api("GET", "/components")) as { id: string; name: string }[]).find((c) => c.name === name)!,
    async stop() {
      server.child.kill("SIGTERM");
      await exited(server.child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type Marquee = Awaited<ReturnType<typeof startMarquee>>;

const axeSource = readFileSync(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

/** axe-core's violations on the page (or a frame) as it is now, one readable line each (empty when there are none). */
export async function axeViolations(page: Page | Frame): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy refuses a script tag added to it.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<AxeResults> } }).axe;
    return (await axe.run(document)).violations;
  });
  return violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

type AxeResults = { violations: { id: string; help: string; nodes: { target: string[] }[] }[] };

/**
 * What the page asks the network for, from chromium's own log (CDP): every URL, and the bytes received for each,
 * as sent (compressed) and with their headers. Also every console error and uncaught exception, and every
 * Content-Security-Policy violation (`violations`, also counted among the errors).
 */
export async function watchPage(page: Page) {
  const urls: string[] = [];
  const bytes = new Map<string, number>();
  const errors: string[] = [];
  const violations: string[] = [];
  await page.exposeFunction("reportPolicyViolation", (violation: string) => {
    violations.push(violation);
    errors.push(`CSP violation: ${violation}`);
  });
  // Init scripts come through the DevTools protocol, so the policy they watch does not stop them.
  await page.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { reportPolicyViolation(v: string): void }).reportPolicyViolation(
        `${e.effectiveDirective} blocked ${e.blockedURI}`,
      ),
    ),
  );
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const urlOf = new Map<string, string>();
  cdp.on("Network.requestWillBeSent", (e) => {
    urlOf.set(e.requestId, e.request.url);
    urls.push(e.request.url);
  });
  cdp.on("Network.loadingFinished", (e) => {
    const url = urlOf.get(e.requestId) ?? "?";
    bytes.set(url, (bytes.get(url) ?? 0) + e.encodedDataLength);
  });
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  return { urls, bytes, errors, violations, total: () => [...bytes.values()].reduce((a, b) => a + b, 0) };
}
