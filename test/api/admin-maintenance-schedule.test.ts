import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApp } from "@/test/support/app";
import { signedIn } from "@/test/support/console-browser";
import { expectStatus, type TestApp, type V2Maintenance } from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

type Staff = V2Maintenance & { reminders: string[]; series_id: string | null };
const listed = async () => expectStatus<Staff[]>(await t.call("GET", "/api/v1/maintenances"), 200);
const form = (fields: [string, string][]) => new URLSearchParams(fields);

describe("reminders and repeats in the console's maintenance form", () => {
  it("offers the three reminders, 1 hour checked, and no repeat by default", async () => {
    const { b } = await signedIn(t);
    const html = await (await b.request("GET", "/admin")).text();
    expect(html).toMatch(/<input type="checkbox" name="reminders" value="72h"(?![^>]*checked)/);
    expect(html).toMatch(/<input type="checkbox" name="reminders" value="1h"[^>]*checked/);
    expect(html).toContain('<option value="" selected>Does not repeat</option>');
  });

  it("schedules a weekly maintenance with the reminders ticked, and stops it with one button", async () => {
    const { b, csrf } = await signedIn(t);
    const body = form([
      ["csrf", csrf],
      ["name", "Weekly patching"],
      ["start", "2030-07-01T22:00"],
      ["end", "2030-07-01T23:00"],
      ["reminders", "24h"],
      ["reminders", "1h"],
      ["repeat_every", "week"],
      ["repeat_count", "4"],
    ]);
    const res = await b.request("POST", "/admin/maintenances", body);
    expect(res.headers.get("location")).toBe("/admin?flash=scheduled");
    const [m] = await listed();
    expect(m).toMatchObject({ name: "Weekly patching", reminders: ["24h", "1h"], series_id: expect.any(String) });
    const html = await (await b.request("GET", "/admin")).text();
    const stop = `/admin/maintenance-series/${m!.series_id}/stop`;
    expect(html).toContain(`action="${stop}"`);

    const stopped = await b.request("POST", stop, { csrf });
    expect(stopped.headers.get("location")).toBe("/admin?flash=series-stopped");
    const series = await expectStatus<{ stopped_at: string | null }>(
      await t.call("GET", `/api/v1/maintenance-series/${m!.series_id}`),
      200,
    );
    expect(series.stopped_at).not.toBeNull();
    expect((await listed())[0]!.status).toBe("completed");
  });

  it("no reminder ticked means none; a bad count is refused with the form shown again and nothing made", async () => {
    const { b, csrf } = await signedIn(t);
    const base: [string, string][] = [
      ["csrf", csrf],
      ["name", "Quiet"],
      ["start", "2030-07-01T22:00"],
      ["end", "2030-07-01T23:00"],
    ];
    const refused = await b.request(
      "POST",
      "/admin/maintenances",
      form([...base, ["repeat_every", "month"], ["repeat_count", "0"]]),
    );
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("repeat.count");
    expect(await listed()).toEqual([]);
    await b.request("POST", "/admin/maintenances", form(base));
    expect((await listed())[0]).toMatchObject({ reminders: [], series_id: null });
  });
});
