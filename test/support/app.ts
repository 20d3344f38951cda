import { join } from "node:path";
import { type AppDeps, createApp } from "@/api/app";
import { loadRenderer } from "@/api/node-runtime";
import { zlibCompressor } from "@/api/publish/zlib-compressor";
import { FileStore } from "@/api/publish/file-store";
import { type Change, createPublisher } from "@/api/publish/publisher";
import { createApiKey } from "@/api/services/api-keys";
import type { ApiScope } from "@/db/schema";
import { makeDeps } from "./deps";
import { createDevTransport } from "@/api/notify/dev-transport";
import { createNotifier, type NotifierOptions } from "@/api/notify/notifier";
import { createNodeOutbound, type Resolver } from "@/api/outbound/node-outbound";

/** DNS where every name is one public address: webhook URLs such as hooks.example.com pass the SSRF guard. */
export const publicDns: Resolver = async () => [{ address: "93.184.215.14", family: 4 }];

/** The Resend webhook secret the test app is configured with (base64 after whsec_, as Resend issues them). */
export const testWebhookSecret = `whsec_${Buffer.from("marquee-test-webhook-secret-32by").toString("base64")}`;

/**
 * The real app over a fresh SQLite file, the real publisher and renderer, and a page store in a temporary
 * directory, and a notifier that writes emails as .eml files to `outbox`. `changes` records what each request asked
 * the publisher to republish. `overrides` replace app deps (limits, TRUST_PROXY). Outbound requests go through the
 * Node SSRF guard, strict as in production unless `allowPrivateWebhooks` (a test with a receiver on 127.0.0.1);
 * `resolve` stands in for DNS.
 */
export async function makeApp(
  options: {
    allowPrivateWebhooks?: boolean;
    resolve?: Resolver;
    log?: (message: string) => void;
    /** The chat sender's options; `{ maxPosts: 0 }` keeps it from posting, for tests of what is queued. */
    chat?: NotifierOptions["chat"];
  } = {},
  overrides: Partial<AppDeps> = {},
) {
  const base = await makeDeps();
  const outbound = createNodeOutbound({
    allowPrivate: options.allowPrivateWebhooks ?? false,
    resolve: options.resolve,
  });
  const env = { ...base, deps: { ...base.deps, outbound } };
  const store = new FileStore(join(env.dir, "site"));
  const publisher = createPublisher({
    ...env.deps,
    renderer: await loadRenderer(),
    store,
    compress: zlibCompressor,
  });
  const changes: Change[] = [];
  const outbox = join(env.dir, "outbox");
  const notifier = createNotifier({
    ...env.deps,
    transport: createDevTransport({ dir: outbox, log: () => {} }),
    log: options.log ?? (() => {}),
    backoffMs: 10,
    webhookBackoffMs: 10,
    pagesPublished: publisher.settled,
    chat: options.chat,
  });
  const renderer = await loadRenderer();
  const app = createApp({
    ...env.deps,
    store,
    renderer,
    notifier,
    resendWebhookSecret: testWebhookSecret,
    publisher: { touch: (c) => (changes.push(c), publisher.touch(c)), state: publisher.state },
    log: () => {},
    ...overrides,
  });
  const keys = {} as Record<ApiScope, string>;
  for (const scope of ["read", "write", "admin"] as const) {
    keys[scope] = (await createApiKey(env.deps, { name: `${scope} key`, scopes: [scope] })).value.key;
  }

  /** A request with a key of the given scope (admin by default) and a JSON body. */
  function call(
    method: string,
    path: string,
    body?: unknown,
    options: { scope?: ApiScope | null; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    const scope = options.scope === undefined ? "admin" : options.scope;
    if (scope) headers.authorization = `Bearer ${keys[scope]}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    return app.request(path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  return {
    ...env,
    app,
    store,
    publisher,
    notifier,
    outbox,
    changes,
    keys,
    call,
    async cleanup() {
      await publisher.idle();
      await notifier.stop();
      env.cleanup();
    },
  };
}
