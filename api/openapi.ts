import { z } from "zod";
import { AlertWebhookPayload } from "./alerts/payloads";
import {
  ApiKeyCreate,
  ComponentCreate,
  ComponentPatch,
  GroupCreate,
  GroupPatch,
  IncidentCreate,
  IncidentPatch,
  IncidentResolve,
  PostmortemPublish,
  PostmortemSave,
  IncidentTemplateCreate,
  IncidentTemplatePatch,
  IncidentUpdateCreate,
  MaintenanceCreate,
  MaintenancePatch,
  MaintenanceSeriesPatch,
  MaintenanceUpdateCreate,
  PagePatch,
  Reorder,
  StaffDestinationCreate,
  SubscriberImport,
  UpdateEdit,
  WebhookCreate,
} from "./schemas";
import { MonitorCreate, MonitorPatch } from "./monitors/schemas";
import { HeartbeatCreate, HeartbeatPatch } from "./heartbeats/schemas";
import { ChannelCreate, ChannelPatch } from "./chat/channel-schemas";

type Operation = {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  summary: string;
  body?: z.ZodType;
};

/** Every staff operation. The request schemas are the ones the routes validate with. */
export const operations: Operation[] = [
  { method: "get", path: "/components", summary: "List components" },
  { method: "post", path: "/components", summary: "Create a component", body: ComponentCreate },
  {
    method: "post",
    path: "/components/reorder",
    summary: "Set the order of components (and groups at the top level)",
    body: Reorder,
  },
  { method: "get", path: "/components/{id}", summary: "Get a component" },
  {
    method: "patch",
    path: "/components/{id}",
    summary: "Update a component, its status among others",
    body: ComponentPatch,
  },
  { method: "delete", path: "/components/{id}", summary: "Delete a component" },
  { method: "get", path: "/groups", summary: "List component groups" },
  { method: "post", path: "/groups", summary: "Create a component group", body: GroupCreate },
  {
    method: "post",
    path: "/groups/reorder",
    summary: "Set the order of groups (and ungrouped components)",
    body: Reorder,
  },
  { method: "patch", path: "/groups/{id}", summary: "Update a component group", body: GroupPatch },
  { method: "delete", path: "/groups/{id}", summary: "Delete a group; its components become ungrouped" },
  { method: "get", path: "/incidents", summary: "List incidents, newest first" },
  {
    method: "post",
    path: "/incidents",
    summary: "Open an incident (send Idempotency-Key to make retries safe)",
    body: IncidentCreate,
  },
  { method: "get", path: "/incidents/{id}", summary: "Get an incident with its updates" },
  { method: "patch", path: "/incidents/{id}", summary: "Rename an incident or change its impact", body: IncidentPatch },
  { method: "delete", path: "/incidents/{id}", summary: "Delete an incident and its timeline" },
  { method: "post", path: "/incidents/{id}/updates", summary: "Post an incident update", body: IncidentUpdateCreate },
  {
    method: "post",
    path: "/incidents/{id}/resolve",
    summary: "Resolve an incident (components return to operational)",
    body: IncidentResolve,
  },
  {
    method: "patch",
    path: "/incidents/{id}/updates/{updateId}",
    summary: "Correct an update's text or time",
    body: UpdateEdit,
  },
  {
    method: "get",
    path: "/incidents/{id}/postmortem",
    summary: "Get a resolved incident's postmortem (draft and published)",
  },
  { method: "put", path: "/incidents/{id}/postmortem", summary: "Save a postmortem draft", body: PostmortemSave },
  { method: "delete", path: "/incidents/{id}/postmortem", summary: "Drop an unpublished postmortem draft" },
  {
    method: "post",
    path: "/incidents/{id}/postmortem/publish",
    summary: "Publish the postmortem draft; subscribers are told once if notify",
    body: PostmortemPublish,
  },
  { method: "post", path: "/incidents/{id}/postmortem/unpublish", summary: "Unpublish the postmortem" },
  { method: "get", path: "/incident-templates", summary: "List saved incident templates" },
  {
    method: "post",
    path: "/incident-templates",
    summary: "Save an incident template (title, body, status, components and their statuses, notify)",
    body: IncidentTemplateCreate,
  },
  { method: "get", path: "/incident-templates/{id}", summary: "Get an incident template" },
  {
    method: "patch",
    path: "/incident-templates/{id}",
    summary: "Change an incident template",
    body: IncidentTemplatePatch,
  },
  { method: "delete", path: "/incident-templates/{id}", summary: "Delete an incident template" },
  { method: "get", path: "/maintenances", summary: "List scheduled maintenances" },
  { method: "post", path: "/maintenances", summary: "Schedule a maintenance", body: MaintenanceCreate },
  { method: "get", path: "/maintenances/{id}", summary: "Get a maintenance" },
  {
    method: "patch",
    path: "/maintenances/{id}",
    summary: "Rename or reschedule a maintenance, or choose its reminders",
    body: MaintenancePatch,
  },
  {
    method: "post",
    path: "/maintenances/{id}/updates",
    summary: "Post a maintenance update",
    body: MaintenanceUpdateCreate,
  },
  { method: "delete", path: "/maintenances/{id}", summary: "Delete a maintenance" },
  { method: "get", path: "/maintenance-series/{id}", summary: "Get a recurring maintenance and its occurrences" },
  {
    method: "patch",
    path: "/maintenance-series/{id}",
    summary: "End a recurring maintenance at another date or count",
    body: MaintenanceSeriesPatch,
  },
  {
    method: "delete",
    path: "/maintenance-series/{id}",
    summary: "Stop a recurring maintenance and cancel its occurrences not started",
  },
  { method: "get", path: "/api-keys", summary: "List API keys (admin)" },
  {
    method: "post",
    path: "/api-keys",
    summary: "Create an API key; the key is shown once (admin)",
    body: ApiKeyCreate,
  },
  { method: "delete", path: "/api-keys/{id}", summary: "Revoke an API key (admin)" },
  {
    method: "get",
    path: "/subscribers",
    summary: "List and search subscribers: ?search=&status=&limit=&offset= (admin)",
  },
  {
    method: "post",
    path: "/subscribers/import",
    summary: "Import subscribers, up to 50,000 rows; bad rows are reported, duplicates merged (admin)",
    body: SubscriberImport,
  },
  { method: "delete", path: "/subscribers/{id}", summary: "Delete a subscriber (admin)" },
  { method: "get", path: "/notifications", summary: "Delivery progress and failures of recent notifications" },
  {
    method: "get",
    path: "/webhooks",
    summary: "List webhook subscribers with their delivery counts and last error (admin)",
  },
  {
    method: "post",
    path: "/webhooks",
    summary:
      "Register a webhook URL, which must reach a public address (422 otherwise); its secret is shown once (admin)",
    body: WebhookCreate,
  },
  { method: "get", path: "/webhooks/{id}", summary: "Get a webhook subscriber (admin)" },
  { method: "delete", path: "/webhooks/{id}", summary: "Remove a webhook subscriber (admin)" },
  { method: "get", path: "/staff-destinations", summary: "List where staff alerts go (admin)" },
  {
    method: "post",
    path: "/staff-destinations",
    summary:
      "Add a staff alert destination: an email address, or a webhook URL that must reach a public address (422 " +
      "otherwise), whose signing secret is shown once (admin)",
    body: StaffDestinationCreate,
  },
  {
    method: "delete",
    path: "/staff-destinations/{id}",
    summary: "Remove a staff destination made through the API; STAFF_EMAILS ones answer 409 (admin)",
  },
  {
    method: "post",
    path: "/staff-destinations/{id}/test",
    summary: "Queue a test alert to this destination only (admin)",
  },
  {
    method: "get",
    path: "/staff-alerts",
    summary: "Recent staff alerts, newest first, with their deliveries: ?limit= (admin)",
  },
  { method: "get", path: "/channels", summary: "List staff chat channels (broadcast and alerts), URLs masked (admin)" },
  {
    method: "post",
    path: "/channels",
    summary:
      "Add a Slack, Teams, Discord or Google Chat webhook: `broadcast` gets incident updates (optionally only for " +
      "`components`), `alerts` gets staff alerts; the URL must reach a public address (422 otherwise) (admin)",
    body: ChannelCreate,
  },
  {
    method: "get",
    path: "/channels/{id}",
    summary: "Get a staff chat channel, with its disabled reason and last error (admin)",
  },
  {
    method: "patch",
    path: "/channels/{id}",
    summary: "Enable (`true`: also after the platform disabled it) or disable a staff chat channel (admin)",
    body: ChannelPatch,
  },
  { method: "post", path: "/channels/{id}/enable", summary: "Re-enable a disabled staff chat channel (admin)" },
  { method: "delete", path: "/channels/{id}", summary: "Remove a staff chat channel (admin)" },
  { method: "get", path: "/backups", summary: "The database's backups, newest first, with their checks and result" },
  { method: "get", path: "/page", summary: "Get the page settings (admin)" },
  { method: "patch", path: "/page", summary: "Change the page name, URL or time zone (admin)", body: PagePatch },
  {
    method: "post",
    path: "/alerts/alertmanager",
    summary:
      "Prometheus Alertmanager's webhook (version 4): alerts labelled with a component set or restore it (alerts, write or admin key)",
    body: AlertWebhookPayload,
  },
  {
    method: "post",
    path: "/alerts/grafana",
    summary:
      "Grafana Alerting's webhook contact point (POST or PUT): alerts labelled with a component set or restore it (alerts, write or admin key)",
    body: AlertWebhookPayload,
  },
  {
    method: "get",
    path: "/audit",
    summary:
      "The audit log of staff changes, newest first (admin); query: limit, cursor, resource_type, resource_id, since, until",
  },
  { method: "get", path: "/monitors", summary: "List monitors with their state and last result" },
  {
    method: "post",
    path: "/monitors",
    summary: "Create a monitor: http, tcp, tls or statuspage, checked on a schedule (admin)",
    body: MonitorCreate,
  },
  { method: "get", path: "/monitors/{id}", summary: "Get a monitor: state, last check, next check" },
  {
    method: "patch",
    path: "/monitors/{id}",
    summary: "Change a monitor; the result is validated as a whole (admin)",
    body: MonitorPatch,
  },
  { method: "post", path: "/monitors/{id}/pause", summary: "Pause a monitor's checks (admin)" },
  {
    method: "post",
    path: "/monitors/{id}/resume",
    summary: "Resume a monitor: judged afresh from its next result (admin)",
  },
  { method: "delete", path: "/monitors/{id}", summary: "Delete a monitor and its results (admin)" },
  {
    method: "get",
    path: "/monitors/{id}/results",
    summary: "A monitor's results (48 hours) and hourly roll-ups (90 days); query: since, until, limit",
  },
  { method: "get", path: "/incident-drafts", summary: "Incidents detections prepared for staff to publish" },
  { method: "post", path: "/incident-drafts/{id}/publish", summary: "Publish a draft as an incident" },
  { method: "delete", path: "/incident-drafts/{id}", summary: "Discard a draft" },
  { method: "get", path: "/heartbeats", summary: "List heartbeats with their state (new, up, late, down)" },
  {
    method: "post",
    path: "/heartbeats",
    summary:
      "Create a heartbeat: a period or a cron schedule with a time zone, and a grace. The answer's ping_url (GET, POST or HEAD; /start, /fail, /{exit code}) is shown here and on rotation only",
    body: HeartbeatCreate,
  },
  { method: "get", path: "/heartbeats/{id}", summary: "Get a heartbeat" },
  {
    method: "patch",
    path: "/heartbeats/{id}",
    summary: "Change a heartbeat; pause or resume it with paused",
    body: HeartbeatPatch,
  },
  { method: "delete", path: "/heartbeats/{id}", summary: "Delete a heartbeat; what it did to its component is undone" },
  { method: "get", path: "/heartbeats/{id}/pings", summary: "The heartbeat's last 50 pings, newest first" },
  {
    method: "post",
    path: "/heartbeats/{id}/rotate",
    summary: "Give the heartbeat a new ping_url; the old one stops working at once",
  },
];

const ErrorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" }, details: {} },
    },
  },
};

export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      parameters: params,
      ...(op.body && {
        requestBody: {
          required: true,
          content: { "application/json": { schema: z.toJSONSchema(op.body, { io: "input", unrepresentable: "any" }) } },
        },
      }),
      responses: {
        "200": { description: "OK" },
        ...(op.method === "post" && { "201": { description: "Created" } }),
        default: { description: "Error", content: { "application/json": { schema: ErrorSchema } } },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Marquee staff API", version: "1" },
    servers: [{ url: `${serverUrl}/api/v1` }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths,
  };
}
