import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it). */
export const systemChromiumPath = "/usr/bin/chromium";

export type ChromiumChoice = { kind: "system" | "bundled" | "path"; path?: string };

/**
 * Which chromium the browser tests drive. MARQUEE_CHROMIUM unset (or `auto`): the system's when it is installed,
 * else the one `npm install` brings (@sparticuz/chromium); `system` or `bundled` force one; anything else is the
 * path of a chromium binary.
 */
export function chooseChromium(setting: string | undefined, exists = existsSync): ChromiumChoice {
  const wanted = setting?.trim() || "auto";
  if (wanted === "bundled") return { kind: "bundled" };
  if (wanted === "system" || (wanted === "auto" && exists(systemChromiumPath)))
    return { kind: "system", path: systemChromiumPath };
  if (wanted === "auto") return { kind: "bundled" };
  return { kind: "path", path: wanted };
}

/** A chromium binary and the environment it needs, ready for playwright-core's `launch`. */
export type ChromiumBinary = { kind: ChromiumChoice["kind"]; executablePath: string; env?: Record<string, string> };

export async function resolveChromium(setting = process.env.MARQUEE_CHROMIUM): Promise<ChromiumBinary> {
  const choice = chooseChromium(setting);
  if (choice.kind === "bundled") return bundledChromium();
  if (!existsSync(choice.path!)) {
    throw new Error(
      `MARQUEE_CHROMIUM=${setting}: there is no chromium at ${choice.path} (unset MARQUEE_CHROMIUM to use the one npm installs).`,
    );
  }
  return { kind: choice.kind, executablePath: choice.path! };
}

const require = createRequire(import.meta.url);

/** The installed @sparticuz/chromium: its entry module and version. */
function bundledPackage() {
  const entry = require.resolve("@sparticuz/chromium");
  const manifest = (dir: string): { name?: string; version: string } | undefined =>
    existsSync(join(dir, "package.json")) ? JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) : undefined;
  let dir = dirname(entry);
  while (manifest(dir)?.name !== "@sparticuz/chromium") dir = dirname(dir);
  return { entry, version: manifest(dir)!.version };
}

/**
 * @sparticuz/chromium's browser, unpacked once into node_modules/.cache/marquee-chromium/<version>/: the binary
 * (headless shell), its SwiftShader GL, its fonts and the NSS/expat libraries it links against (the package's
 * Amazon Linux set), so it runs on a machine with nothing but Node and glibc. The package unpacks into os.tmpdir()
 * and reuses whatever sits at /tmp/chromium, so it runs in a child process whose TMPDIR is a fresh staging folder;
 * the folder is renamed into place only when complete, which also settles test files unpacking at the same time.
 */
export async function bundledChromium(): Promise<ChromiumBinary> {
  const { entry, version } = bundledPackage();
  const cache = fileURLToPath(new URL("../../node_modules/.cache/marquee-chromium", import.meta.url));
  const dir = join(cache, version);
  if (!existsSync(join(dir, "ready"))) await unpack(entry, cache, dir);
  return {
    kind: "bundled",
    executablePath: join(dir, "chromium"),
    env: { LD_LIBRARY_PATH: join(dir, "al2023", "lib"), FONTCONFIG_PATH: join(dir, "fontconfig") },
  };
}

async function unpack(entry: string, cache: string, dir: string) {
  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(join(cache, "unpacking-"));
  try {
    const script = `const { default: c } = await import(${JSON.stringify(pathToFileURL(entry).href)}); await c.executablePath();`;
    // The package unpacks its Amazon Linux libraries only where it believes it runs on Lambda's Node 20.
    await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, TMPDIR: staging, AWS_EXECUTION_ENV: "AWS_Lambda_nodejs20.x" },
    });
    for (const part of ["chromium", "fonts", "al2023/lib/libnss3.so", "libEGL.so"]) {
      if (!existsSync(join(staging, part))) throw new Error(`@sparticuz/chromium left no ${part} in ${staging}`);
    }
    // Its fonts plus the system's, if it has any; the cache sits beside the binary, never in the user's home.
    mkdirSync(join(staging, "fontconfig"));
    writeFileSync(
      join(staging, "fontconfig", "fonts.conf"),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
        `  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n` +
        `  <dir>${join(dir, "fonts")}</dir>\n  <cachedir>${join(dir, "fontconfig", "cache")}</cachedir>\n</fontconfig>\n`,
    );
    writeFileSync(join(staging, "ready"), "");
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another test file finished first: use its copy.
      if (!existsSync(join(dir, "ready"))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
