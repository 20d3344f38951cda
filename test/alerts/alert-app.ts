import type { AppDeps } from "@/api/app";
import { makeApp } from "../support/app";
import { type CreatedApiKey, expectStatus, json, seededComponentId, type TestApp } from "../support/factories";
import type { AlertsAnswer } from "@/api/alerts/receive-alerts";

/** The real app with an `alerts` key made through the API, and helpers to post bodies and read the page. */
export async function makeAlertApp(overrides: Partial<AppDeps> = {}) {
  const t: TestApp = await makeApp({}, overrides);
  const created = await expectStatus<CreatedApiKey>(
    await t.call("POST", "/api/v1/api-keys", { name: "alertmanager", scopes: ["alerts"] }),
    201,
  );
  const alertsKey = created.key;

  /** Posts raw bytes as the tool would, with the alerts key unless told otherwise. */
  const post = (source: "alertmanager" | "grafana", body: string, key: string | null = alertsKey, method = "POST") =>
    t.app.request(`/api/v1/alerts/${source}`, {
      method,
      headers: {
        "content-type": "application/json",
        "user-agent": source === "alertmanager" ? "Alertmanager/0.28.1" : "Grafana",
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body,
    });
  const deliver = async (source: "alertmanager" | "grafana", body: string) =>
    expectStatus<AlertsAnswer>(await post(source, body), 200);

  /** A component's status as readers see it, in the published /api/v2/summary.json. */
  const published = async (name: string) => {
    await t.publisher.idle();
    const summary = await json<{ components: { name: string; status: string }[] }>(
      await t.app.request("/api/v2/summary.json"),
    );
    return summary.components.find((c) => c.name === name)?.status;
  };
  /** A component's status from the staff API. */
  const status = async (name: string) => {
    const id = await seededComponentId(t, name);
    return (await json<{ status: string }>(await t.call("GET", `/api/v1/components/${id}`))).status;
  };
  return { ...t, alertsKey, post, deliver, published, status, id: (name: string) => seededComponentId(t, name) };
}
export type AlertApp = Awaited<ReturnType<typeof makeAlertApp>>;
