import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { openNodeDb } from "@/db/node";
import { notifications } from "@/db/schema";
import { IncidentCreate, IncidentUpdateCreate, PostmortemPublish, PostmortemSave } from "@/api/schemas";
import { openIncident, postIncidentUpdate } from "@/api/services/incidents";
import { publishPostmortem, savePostmortem } from "@/api/services/postmortems";
import { importSubscribers } from "@/api/services/subscribers";
import { postmortemUpdateId } from "@/present/postmortem";
import { makeDeps } from "@/test/support/deps";
import { racingPair } from "@/test/support/racing";

let env: Awaited<ReturnType<typeof makeDeps>>;
beforeEach(async () => {
  env = await makeDeps();
});
afterEach(() => env.cleanup());

describe("telling subscribers about a postmortem", () => {
  it("happens once when two processes publish it again at once, each asking to notify", async () => {
    await importSubscribers(env.deps, [{ email: "all@example.com" }], true);
    const { id } = (await openIncident(env.deps, IncidentCreate.parse({ name: "Webtix down", notify: false }))).value;
    await postIncidentUpdate(env.deps, id, IncidentUpdateCreate.parse({ status: "resolved", notify: false }));
    await savePostmortem(env.deps, id, PostmortemSave.parse({ body: "What happened." }));
    await publishPostmortem(env.deps, id, PostmortemPublish.parse({ notify: false }));
    await savePostmortem(env.deps, id, PostmortemSave.parse({ body: "What happened, and what we changed." }));

    // Both read "not told yet" before either writes: the race two servers or two Workers invocations can run into.
    const second = openNodeDb(join(env.dir, "marquee.db"));
    try {
      const [one, two] = racingPair(env.deps.db, second.db);
      const notify = PostmortemPublish.parse({ notify: true });
      const answers = await Promise.allSettled([
        publishPostmortem({ ...env.deps, db: one }, id, notify),
        publishPostmortem({ ...env.deps, db: two }, id, notify),
      ]);
      expect(answers.map((a) => a.status)).toEqual(["fulfilled", "fulfilled"]);
    } finally {
      second.close();
    }
    const told = await env.deps.db.select().from(notifications).where(eq(notifications.incidentId, id));
    expect(told.map((n) => n.updateId)).toEqual([postmortemUpdateId(id)]);
  });
});
