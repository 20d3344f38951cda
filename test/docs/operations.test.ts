import { execFile, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { staffAlertPayload } from "@/api/notify/staff-alert-channels";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";
import { exited, freePort, npmStartCommand, spawnServer } from "@/test/support/server";
import { waitUntil } from "@/test/support/wait";

// docs/operations.md, block by block: each fenced block follows a `<!-- run: NAME -->` or `<!-- checked: NAME -->`
// comment. "run" blocks run here as written, on a scratch machine: the page's paths (/etc/marquee,
// /var/lib/marquee, …) are moved into a temporary folder, `sudo` is dropped, systemctl is played by starting the
// unit's ExecStart with its environment, the backup host is a local folder behind an rsync stand-in, and
// status.example.com is a local nginx with a self-signed certificate (curl is pointed at it through a .curlrc).
// "checked" blocks cannot run here (systemd, Caddy, a remote host) and are checked for what they must agree on.

const exec = promisify(execFile);
const doc = readFileSync("docs/operations.md", "utf8");
const marked = [...doc.matchAll(/<!-- (run|checked): ([\w-]+) -->\n```(\w*)\n([\s\S]*?)```/g)].map((m) => ({
  mark: m[1]!,
  name: m[2]!,
  lang: m[3]!,
  text: m[4]!,
}));
const block = (name: string) => {
  const found = marked.find((b) => b.name === name);
  if (!found) throw new Error(`docs/operations.md has no block marked ${name}`);
  return found.text;
};
const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A scratch machine: the page's folders in a temporary one, and `adapt` to move a block's paths there. */
function machine() {
  const root = mkdtempSync(join(tmpdir(), "marquee-operations-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const path = {
    etc: join(root, "etc/marquee"),
    prometheus: join(root, "etc/prometheus"),
    data: join(root, "var/lib/marquee"),
    mirror: join(root, "srv/status-mirror"),
    bin: join(root, "usr/local/bin"),
    vault: join(root, "vault"),
  };
  mkdirSync(path.data, { recursive: true, mode: 0o700 });
  for (const dir of [path.prometheus, path.bin, path.vault, join(root, "srv")]) mkdirSync(dir, { recursive: true });
  // The backup host is another machine: this rsync copies the files it is given into `vault` instead.
  writeFileSync(
    join(path.bin, "rsync"),
    `#!/bin/sh\necho "$@" >> ${path.vault}/rsync.log\nwhile [ "$1" != "--" ]; do shift; done; shift\n` +
      `while [ $# -gt 1 ]; do cp "$1" ${path.vault}/; shift; done\n`,
    { mode: 0o755 },
  );
  const adapt = (text: string) =>
    text
      .replaceAll("sudo -u marquee ", "")
      .replaceAll("-o marquee -g marquee ", "")
      .replaceAll("sudo chown prometheus ", "chown $(id -un) ")
      .replaceAll("sudo chown root:marquee ", "chown $(id -un) ")
      .replaceAll("sudo ", "")
      .replaceAll("/etc/marquee", path.etc)
      .replaceAll("/etc/prometheus", path.prometheus)
      .replaceAll("/var/lib/marquee", path.data)
      .replaceAll("/srv/status-mirror", path.mirror)
      .replaceAll("/usr/local/bin/", `${path.bin}/`)
      .replaceAll("/opt/marquee", process.cwd());
  const env = { ...process.env, PATH: `${path.bin}:${process.env.PATH}`, CURL_HOME: root };
  let unit: Awaited<ReturnType<typeof startUnit>> | undefined;
  cleanups.push(() => unit?.stop());
  const m = {
    root,
    path,
    env,
    adapt,
    get unit() {
      return unit!;
    },
    /** Runs shell lines as the page gives them; `systemctl stop|start|restart marquee` acts on the unit. */
    async run(text: string, extraEnv: Record<string, string> = {}) {
      let out = "";
      let pending: string[] = [];
      const flush = async () => {
        if (pending.length === 0) return;
        const script = adapt(pending.join("\n"));
        pending = [];
        out += (await exec("bash", ["-e", "-o", "pipefail", "-c", script], { env: { ...env, ...extraEnv } })).stdout;
      };
      for (const line of text.split("\n")) {
        const systemctl = /^sudo systemctl (stop|start|restart) marquee$/.exec(line.trim());
        if (!systemctl) {
          pending.push(line);
          continue;
        }
        await flush();
        if (systemctl[1] !== "start") await unit?.stop();
        if (systemctl[1] !== "stop") unit = await startUnit(m);
      }
      await flush();
      return out;
    },
    async start() {
      unit = await startUnit(m);
      return unit;
    },
    /** The settings file as systemd and `sh` read it (plain NAME=value lines, double quotes around spaces). */
    settings(): Record<string, string> {
      const text = readFileSync(join(path.etc, "marquee.env"), "utf8");
      return Object.fromEntries(
        lines(text).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).replace(/^"(.*)"$/, "$1")]),
      );
    },
  };
  return m;
}
type Machine = ReturnType<typeof machine>;

/** The unit's [Service] settings, each name with its values in order. */
function unitSettings(text: string) {
  const service = text.slice(text.indexOf("[Service]"), text.indexOf("[Install]"));
  const settings = new Map<string, string[]>();
  for (const line of lines(service).slice(1)) {
    const [name, ...value] = line.split("=");
    settings.set(name!, [...(settings.get(name!) ?? []), value.join("=")]);
  }
  return settings;
}

const adminKey = "9c41e7a2b86d05f3e1c7a9b24d6f8e30";
// Debian's nginx-light (.ci/run installs it); without it the proxy tests show as skipped.
const nginxBinary = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p));

/**
 * What systemd does with the page's unit: its ExecStart, in its WorkingDirectory, with its EnvironmentFile and
 * Environment. The port is a free one (PORT=3000 in the unit; the nginx test checks the two agree); ADMIN_API_KEY
 * is the test's, to make rows through the API.
 */
async function startUnit(m: Machine) {
  const unit = unitSettings(m.adapt(block("unit")));
  expect(unit.get("WorkingDirectory")).toEqual([process.cwd()]);
  const environment = Object.fromEntries(unit.get("Environment")!.map((e) => e.split("=") as [string, string]));
  expect(unit.get("EnvironmentFile")).toEqual([join(m.path.etc, "marquee.env")]);
  const [command, ...args] = unit.get("ExecStart")![0]!.split(/\s+/);
  // The unit names /usr/bin/node; a machine with Node elsewhere runs the same arguments with its own.
  const node = existsSync(command!) ? command! : process.execPath;
  return spawnServer([node, ...args], {
    ...m.settings(),
    ...environment,
    PATH: m.env.PATH!,
    ADMIN_API_KEY: adminKey,
  });
}

async function api(base: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${base}/api/v1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
  });
  return res.json() as Promise<unknown>;
}

describe("docs/operations.md", () => {
  it("marks every block it holds as run or checked here, and this file knows every mark", () => {
    const fences = doc.match(/^```/gm)!.length / 2;
    expect(marked).toHaveLength(fences);
    expect(marked.map((b) => b.name).sort()).toEqual(
      [
        ...["install", "user", "settings", "first-start", "first-check", "nginx", "nginx-reload", "caddy"],
        ...["proxy-check", "unit", "systemctl", "copy-script", "ssh-key", "backup-now", "backup-verify"],
        ...["restore-drill", "restore", "mirror-dir", "mirror-command", "mirror-script", "mirror-health", "export"],
        ...["export-nginx", "metrics-check", "metrics-token-file", "prometheus", "upgrade", "staff-alert-payload"],
      ].sort(),
    );
  });

  it("shows the staff alert webhook body the sender posts, key for key", () => {
    const shown = JSON.parse(block("staff-alert-payload")) as Record<string, unknown>;
    const sent = staffAlertPayload(
      {
        id: "a1",
        key: "backup-failed-b1",
        kind: "backup_failed",
        subject: "[Ticketing] Backup failed",
        text: "The backup failed",
        link: "https://status.example.com/admin",
        createdAt: Date.parse("2026-11-25T12:00:00.000Z"),
      },
      { name: "Ticketing", url: "https://status.example.com" } as Parameters<typeof staffAlertPayload>[1],
    );
    expect(Object.keys(shown).sort()).toEqual(Object.keys(sent).sort());
    expect(shown.type).toBe(sent.type);
    expect(Object.keys(shown.page as object).sort()).toEqual(Object.keys(sent.page).sort());
  });

  it("installs with the commands CI runs on a fresh clone, as a user whose home is DATA_DIR", () => {
    expect(lines(block("install"))).toEqual(["cd /opt/marquee", "npm ci", "npm run build"]);
    expect(readFileSync(".ci/run", "utf8")).toMatch(/^npm ci\b/m);
    expect(JSON.parse(readFileSync("package.json", "utf8")).scripts.build).toBeTruthy();
    expect(block("user")).toContain("useradd --system --home-dir /var/lib/marquee ");
    expect(block("user")).toMatch(/ marquee\n/);
    expect(block("user")).toContain("install -d -o marquee -g marquee -m 0700 /var/lib/marquee");
  });

  it("first start with the page's settings: a valid configuration, a key printed once, /healthz answering", async () => {
    const m = machine();
    await m.run(block("settings"));
    const settings = m.settings();
    expect(statSync(join(m.path.etc, "marquee.env")).mode & 0o777).toBe(0o640);
    expect(settings.METRICS_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    expect(() => parseConfig(settings)).not.toThrow();
    expect(parseConfig(settings).siteUrl).toBe("https://status.example.com");

    const [command, ...args] = ["bash", "-c", m.adapt(lines(block("first-start")).join(" && "))];
    const server = await spawnServer([command!, ...args], {});
    cleanups.push(server.stop);
    expect(server.output()).toMatch(/Admin API key \(shown once, keep it safe\):\n\n\s+mq_/);
    expect(existsSync(join(m.path.data, "marquee.db"))).toBe(true);
    const port = new URL(server.base).port;
    const { stdout } = await exec("bash", ["-c", block("first-check").replace(":3000", `:${port}`)]);
    expect(JSON.parse(stdout)).toMatchObject({ status: "ok" });
  });

  it.skipIf(!nginxBinary)(
    "behind the page's nginx over TLS: redirect, health, metrics with the token, clients told apart",
    async () => {
      const m = machine();
      await m.run(block("settings"));
      const marquee = await m.start();
      const nginx = await startNginx(m, new URL(marquee.base).port);

      // The unit's port is the one nginx and Caddy proxy to.
      expect(unitSettings(block("unit")).get("Environment")).toContain("PORT=3000");
      expect(block("nginx")).toContain("proxy_pass http://127.0.0.1:3000;");
      expect(block("caddy")).toContain("reverse_proxy 127.0.0.1:3000");

      await m.run(block("nginx-reload"));
      const check = await m.run(block("proxy-check"));
      const [health, redirect] = check.trim().split("\n");
      expect(JSON.parse(health!)).toMatchObject({ status: "ok" });
      expect(redirect).toMatch(/^HTTP\/1\.1 301 /);

      // Through the proxy the console knows it is on HTTPS; reached over plain HTTP by another name, it says it is not.
      const login = await curl(m, ["https://status.example.com/admin/login"]);
      expect(login).toContain("Sign in");
      expect(login).not.toContain('id="needs-https"');
      const plain = await curl(m, ["-H", "Host: marquee.internal:3000", `${marquee.base}/admin/login`]);
      expect(plain).toContain('id="needs-https"');

      // The doc's metrics check: the first backup is taken at start, and the token opens /metrics.
      const metrics = await waitUntil(async () => {
        const out = await m.run(block("metrics-check")).catch(() => "");
        return /^marquee_backup_last_ok 1$/m.test(out) ? out : null;
      }, "a good backup in /metrics through the proxy");
      expect(metrics.trim()).toBe("marquee_backup_last_ok 1");
      expect(await curl(m, ["-o", "/dev/null", "-w", "%{http_code}", "https://status.example.com/metrics"])).toBe(
        "401",
      );

      // TRUST_PROXY: a client behind nginx is known by its own address, whatever X-Forwarded-For it sends...
      const wrongKey = (from: string, forged: string, url = "https://status.example.com/api/v1/components") =>
        curl(
          m,
          ["--interface", from, "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer nope"].concat([
            "-H",
            `X-Forwarded-For: ${forged}`,
            url,
          ]),
        );
      for (let i = 0; i < 10; i++) expect(await wrongKey("127.0.0.2", `198.51.100.${i}`)).toBe("401");
      expect(await wrongKey("127.0.0.2", "198.51.100.99")).toBe("429");
      // ...and another client behind the same proxy is not held back with it,
      expect(await wrongKey("127.0.0.3", "198.51.100.1")).toBe("401");
      // while a client that reaches the port directly cannot pose as anyone: only the proxy's header counts.
      const direct = `${marquee.base.replace("127.0.0.1", "127.0.0.4")}/api/v1/components`;
      for (let i = 0; i < 10; i++) expect(await wrongKey("127.0.0.4", `203.0.113.${i}`, direct)).toBe("401");
      expect(await wrongKey("127.0.0.4", "203.0.113.99", direct)).toBe("429");
      await nginx.stop();
    },
    300_000,
  );

  it.skipIf(!nginxBinary)("the static export's nginx example passes nginx -t", async () => {
    const m = machine();
    const conf = join(m.root, "export-nginx.conf");
    const site = block("export-nginx").replace("root /srv/status;", `root ${m.root};\n  listen 127.0.0.1:1;`);
    writeFileSync(conf, nginxMain(m.root, site));
    await exec(nginxBinary!, ["-t", "-p", m.root, "-c", conf, "-e", join(m.root, "error.log")]);
  });

  it("the unit passes systemd-analyze verify, and runs npm start's command as marquee, hardened", async () => {
    const unit = unitSettings(block("unit"));
    expect(block("unit").split("\n")[0]).toBe("# /etc/systemd/system/marquee.service");
    expect(unit.get("User")).toEqual(["marquee"]);
    expect(unit.get("Restart")).toEqual(["on-failure"]);
    expect(unit.get("NoNewPrivileges")).toEqual(["yes"]);
    expect(unit.get("ProtectSystem")).toEqual(["strict"]);
    expect(unit.get("ReadWritePaths")![0]!.split(" ")).toEqual(["/var/lib/marquee", "-/srv/status-mirror"]);
    const start = npmStartCommand();
    const [command, ...args] = unit.get("ExecStart")![0]!.split(" ");
    expect(command).toMatch(/^\/.*\/node$/);
    expect(args).toEqual(start.args);
    for (const [name, value] of Object.entries(start.env))
      expect(unit.get("Environment")).toContain(`${name}=${value}`);
    expect(block("systemctl")).toContain("enable --now marquee");

    const analyze = "/usr/bin/systemd-analyze";
    if (existsSync(analyze) && existsSync(command!)) {
      const m = machine();
      const file = join(m.root, "marquee.service");
      writeFileSync(file, block("unit"));
      const { stderr } = await exec(analyze, ["verify", file]);
      expect(stderr).toBe("");
    } else {
      console.info(`systemd-analyze or ${command} missing: the unit was checked only as text`);
    }
  });

  it("backups: taken now and copied off the machine, verified, drilled and restored", async () => {
    const m = machine();
    await m.run(block("settings"));
    await m.run(block("copy-script"));
    expect(m.settings().BACKUP_COPY_COMMAND).toBe(join(m.path.bin, "copy-marquee-backup"));
    const first = await m.start();

    const taken = await m.run(block("backup-now"));
    const file = /^(\/\S+\.db)$/m.exec(taken)![1]!;
    expect(file.startsWith(join(m.path.data, "backups/marquee-"))).toBe(true);
    expect(taken).toMatch(/Backup taken and checked/);
    // The copy reached the backup host with its checksum, through the doc's script and rsync.
    const copied = readdirSync(m.path.vault);
    expect(copied).toEqual(expect.arrayContaining([file.split("/").pop(), `${file.split("/").pop()}.sha256`]));
    expect(readFileSync(join(m.path.vault, "rsync.log"), "utf8")).toContain(
      `-a -- ${file} ${file}.sha256 backup@vault.example.com:/srv/marquee-backups/`,
    );

    const named = (text: string) => text.replaceAll(/marquee-\d{8}T\d{6}Z\.db/g, basename(file));
    expect(await m.run(named(block("backup-verify")))).toMatch(/is good: checksum ok, integrity ok, foreign keys ok/);

    // A change after the backup, which restoring must undo.
    const later = (await api(first.base, "/incidents", {
      method: "POST",
      body: JSON.stringify({ name: "After the backup", body: "Made after the backup was taken." }),
    })) as { id: string };
    expect(later.id).toBeTruthy();

    // The drill: restored into a scratch DATA_DIR and served on another port while the real server runs on.
    const [restoreLine, startLine] = lines(named(block("restore-drill"))).slice(1);
    expect(await m.run(`cd /opt/marquee\n${restoreLine}`)).toMatch(/^Restored .* into .*\/drill\./m);
    const drill = await spawnServer(
      ["bash", "-c", m.adapt(`cd /opt/marquee && ${startLine!.replace("PORT=3999", "PORT=$PORT")}`)],
      {},
    );
    cleanups.push(drill.stop);
    const summary = async (base: string) => JSON.stringify(await (await fetch(`${base}/api/v2/summary.json`)).json());
    expect(await summary(drill.base)).not.toContain("After the backup");
    expect(await summary(first.base)).toContain("After the backup");
    await drill.stop();

    // Restoring under a running server is refused, and changes nothing.
    const restore = named(block("restore"));
    const under = lines(restore).filter((l) => !l.includes("systemctl"));
    await expect(m.run(under.join("\n"))).rejects.toThrow(
      /a Marquee server \(process \d+\) is running on .*; stop it first/,
    );
    expect(await summary(first.base)).toContain("After the backup");

    // As the page says: stop, restore, start.
    await m.run(restore);
    expect(m.unit.base).not.toBe(first.base);
    expect(await summary(m.unit.base)).not.toContain("After the backup");
    expect(readdirSync(m.path.data).some((f) => f.startsWith("marquee.db.replaced-"))).toBe(true);
  }, 300_000);

  it("mirror: the folder fills with the page after a restart, and the export writes the same files", async () => {
    const m = machine();
    await m.run(block("settings"));
    await m.start();
    await m.run(block("mirror-dir"));
    expect(m.settings().MIRROR_DIR).toBe(m.path.mirror);
    const health = await waitUntil(async () => {
      const h = (await (await fetch(`${m.unit.base}/healthz`)).json()) as { mirror?: { last_ok_at: string | null } };
      return h.mirror?.last_ok_at && h.mirror;
    }, "the mirror's first update");
    expect(Object.keys(health)).toEqual(Object.keys(JSON.parse(`{${block("mirror-health")}}`).mirror));
    for (const file of ["index.html", "index.html.gz", "index.html.br", "api/v2/summary.json", "history.atom"]) {
      expect(existsSync(join(m.path.mirror, file)), file).toBe(true);
    }
    expect(statSync(join(m.path.mirror, "index.html")).mode & 0o777).toBe(0o644);
    expect(readdirSync(m.path.mirror)).not.toContain(".published.json");

    await m.run(block("export"));
    const exported = join(m.path.data, "export");
    expect(existsSync(join(exported, ".marquee-export.json"))).toBe(true);
    expect(readFileSync(join(exported, "index.html"), "utf8")).toContain("status.example.com");

    // MIRROR_COMMAND as the page gives it is a valid setting; the rsync script is valid sh.
    const command = block("mirror-command").trim();
    const config = parseConfig({
      ...m.settings(),
      [command.split("=")[0]!]: command.slice(command.indexOf("=") + 2, -1),
    });
    expect(config.mirror?.command?.slice(0, 3)).toEqual(["npx", "wrangler", "pages"]);
    const script = join(m.root, "push-status-mirror");
    writeFileSync(script, block("mirror-script"));
    await exec("sh", ["-n", script]);
  }, 300_000);

  it("metrics: Prometheus's token file holds METRICS_TOKEN, and its scrape job points where the page is", async () => {
    const m = machine();
    await m.run(block("settings"));
    await m.run(block("metrics-token-file"));
    const tokenFile = join(m.path.prometheus, "marquee-metrics-token");
    expect(readFileSync(tokenFile, "utf8").trim()).toBe(m.settings().METRICS_TOKEN);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o400);
    const scrape = block("prometheus");
    expect(scrape).toContain("credentials_file: /etc/prometheus/marquee-metrics-token");
    expect(scrape).toContain('targets: ["status.example.com"]');
    expect(scrape).toMatch(/scheme: https\n\s+metrics_path: \/metrics\n/);
  });

  it("upgrading backs up as the backup section does, then installs and restarts as the earlier sections do", () => {
    const upgrade = lines(block("upgrade"));
    expect(upgrade.slice(0, 2)).toEqual(lines(block("backup-now")));
    expect(upgrade.slice(2)).toEqual([
      "sudo git pull --ff-only",
      ...lines(block("install"))
        .slice(1)
        .map((l) => `sudo ${l}`),
      "sudo systemctl restart marquee",
    ]);
    expect(block("ssh-key")).toContain("/var/lib/marquee/.ssh/");
    expect(block("caddy").split("\n")[1]).toBe(
      `${new URL(parseConfig({ SITE_URL: "https://status.example.com" }).siteUrl!).host} {`,
    );
  });
});

/** Runs curl as a reader on this machine would, with the scratch machine's .curlrc (status.example.com → nginx). */
async function curl(m: Machine, args: string[]) {
  return (await exec("curl", ["-s", ...args], { env: m.env })).stdout;
}

function nginxMain(dir: string, site: string) {
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `${t}_temp_path ${dir}/${t};`);
  return `pid ${dir}/nginx.pid;\nevents {}\nhttp {\n  access_log off;\n  ${temp.join("\n  ")}\n${site}\n}\n`;
}

/**
 * The page's nginx server blocks on two free local ports, with a self-signed certificate for status.example.com,
 * `nginx` on the PATH pointed at them, and a .curlrc that sends status.example.com there and trusts the certificate.
 */
async function startNginx(m: Machine, marqueePort: string) {
  const dir = join(m.root, "nginx");
  mkdirSync(dir);
  const [http, https] = [await freePort(), await freePort()];
  const [cert, key] = [join(dir, "cert.pem"), join(dir, "key.pem")];
  await exec("openssl", [
    ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", key, "-out", cert],
    ...["-subj", "/CN=status.example.com", "-addext", "subjectAltName=DNS:status.example.com"],
  ]);
  const site = block("nginx")
    .replace("listen 80;", `listen 127.0.0.1:${http};`)
    .replace("listen 443 ssl;", `listen 127.0.0.1:${https} ssl;`)
    .replace("/etc/letsencrypt/live/status.example.com/fullchain.pem", cert)
    .replace("/etc/letsencrypt/live/status.example.com/privkey.pem", key)
    .replace("127.0.0.1:3000", `127.0.0.1:${marqueePort}`);
  writeFileSync(join(dir, "nginx.conf"), nginxMain(dir, site));
  writeFileSync(
    join(m.path.bin, "nginx"),
    `#!/bin/sh\nexec ${nginxBinary} -p ${dir} -c ${dir}/nginx.conf -e ${dir}/error.log "$@"\n`,
    { mode: 0o755 },
  );
  writeFileSync(
    join(m.root, ".curlrc"),
    `connect-to = status.example.com:443:127.0.0.1:${https}\nconnect-to = status.example.com:80:127.0.0.1:${http}\n` +
      `cacert = ${cert}\n`,
  );
  const child = spawn(join(m.path.bin, "nginx"), ["-g", "daemon off;"], { stdio: "ignore", env: m.env });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGQUIT");
    await exited(child);
  };
  cleanups.push(stop);
  await waitUntil(
    // Until nginx listens, curl fails: that is "not yet", not an error.
    () =>
      curl(m, ["-o", "/dev/null", "-w", "%{http_code}", "http://status.example.com/"]).then(
        (c) => c === "301",
        () => false,
      ),
    "nginx answering",
  );
  return { stop };
}
