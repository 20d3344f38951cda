import { z } from "zod";
import {
  apiScopes,
  chatPlatforms,
  componentStatuses,
  impacts,
  incidentStatuses,
  maintenanceStatuses,
  reminderIntervals,
  repeatEvery,
  type StaffDestinationKind,
  staffDestinationKinds,
} from "@/db/schema";

/** Input schemas of the staff API. Routes validate with them; the OpenAPI document is generated from them. */

const Id = z.string().min(1).max(64);
const Name = z.string().trim().min(1, "must not be empty").max(255);
const Description = z.string().max(2000).nullable();
const Body = z.string().max(20_000);
const Timestamp = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

export const ComponentStatusSchema = z.enum(componentStatuses);
/** `{"<component id>": "<component status>"}`, as Statuspage's incident API takes it. */
export const ComponentChanges = z.record(Id, ComponentStatusSchema);

/** A PATCH that names no field changes nothing, and is refused as the mistake it is. */
const changesSomething = <T extends object>(patch: T) => Object.values(patch).some((v) => v !== undefined);
const nothingToChange = "send at least one field to change";

export const ComponentCreate = z.strictObject({
  name: Name,
  description: Description.optional(),
  group_id: Id.nullable().optional(),
  status: ComponentStatusSchema.default("operational"),
  position: z.int().min(0).optional(),
  showcase: z.boolean().default(false),
  only_show_if_degraded: z.boolean().default(false),
  start_date: z.iso.date().nullable().optional(),
});
export type ComponentCreate = z.infer<typeof ComponentCreate>;

export const ComponentPatch = z
  .strictObject({
    name: Name.optional(),
    description: Description.optional(),
    group_id: Id.nullable().optional(),
    status: ComponentStatusSchema.optional(),
    position: z.int().min(0).optional(),
    showcase: z.boolean().optional(),
    only_show_if_degraded: z.boolean().optional(),
    start_date: z.iso.date().nullable().optional(),
  })
  .refine(changesSomething, nothingToChange);
export type ComponentPatch = z.infer<typeof ComponentPatch>;

export const GroupCreate = z.strictObject({
  name: Name,
  description: Description.optional(),
  position: z.int().min(0).optional(),
});
export type GroupCreate = z.infer<typeof GroupCreate>;
export const GroupPatch = GroupCreate.partial().refine(changesSomething, nothingToChange);
export type GroupPatch = z.infer<typeof GroupPatch>;

/** Ids in their new order; positions follow it. */
export const Reorder = z.strictObject({ ids: z.array(Id).min(1).max(1000) });

export const IncidentCreate = z.strictObject({
  name: Name,
  status: z.enum(incidentStatuses).default("investigating"),
  impact: z.enum(impacts).optional(),
  body: Body.optional(),
  components: ComponentChanges.default({}),
  notify: z.boolean().default(true),
  started_at: Timestamp.optional(),
});
export type IncidentCreate = z.infer<typeof IncidentCreate>;

const IncidentUpdateFields = z.strictObject({
  status: z.enum(incidentStatuses).optional(),
  body: Body.optional(),
  components: ComponentChanges.optional(),
  notify: z.boolean().default(true),
  impact: z.enum(impacts).optional(),
  display_at: Timestamp.optional(),
  /** A resolved incident takes an update that is not resolved/postmortem only when the request says it reopens. */
  reopen: z.boolean().optional(),
});
/** An update that says nothing new would still be published and emailed to every subscriber. */
export const IncidentUpdateCreate = IncidentUpdateFields.refine(
  (u) => u.status !== undefined || u.body !== undefined || u.components !== undefined || u.impact !== undefined,
  "an update needs a status, a body, components or an impact",
);
export type IncidentUpdateCreate = z.infer<typeof IncidentUpdateCreate>;

/** Resolving is itself the news: no other field is needed. */
export const IncidentResolve = IncidentUpdateFields.omit({ status: true, reopen: true });

export const IncidentPatch = z
  .strictObject({ name: Name.optional(), impact: z.enum(impacts).optional() })
  .refine(changesSomething, nothingToChange);
export type IncidentPatch = z.infer<typeof IncidentPatch>;

export const UpdateEdit = z
  .strictObject({
    body: Body.min(1, "must not be empty").optional(),
    display_at: Timestamp.optional(),
  })
  .refine(changesSomething, nothingToChange);
export type UpdateEdit = z.infer<typeof UpdateEdit>;

/** A postmortem's draft, in Markdown like update bodies and within the same size. */
export const PostmortemSave = z.strictObject({ body: Body.trim().min(1, "must not be empty") });
export type PostmortemSave = z.infer<typeof PostmortemSave>;

/** Telling subscribers is a choice made at publishing, and happens at most once per incident. */
export const PostmortemPublish = z.strictObject({ notify: z.boolean().default(false) });
export type PostmortemPublish = z.infer<typeof PostmortemPublish>;

/** Reminders before a maintenance starts, each at most once: `[]` for none. */
const Reminders = z
  .array(z.enum(reminderIntervals))
  .max(reminderIntervals.length)
  .refine((r) => new Set(r).size === r.length, "must not repeat an interval");
/** A recurring maintenance: the same local time in the page's time zone, every week or month. */
const Repeat = z.strictObject({
  every: z.enum(repeatEvery),
  /** The last local date an occurrence may fall on. */
  until: z.iso.date().optional(),
  /** How many occurrences in all, the first included. */
  count: z.int().min(1).max(1000).optional(),
});

export const MaintenanceCreate = z
  .strictObject({
    name: Name,
    body: Body.optional(),
    scheduled_for: Timestamp,
    scheduled_until: Timestamp,
    components: z.array(Id).max(1000).default([]),
    /** Move to in_progress (components under maintenance) and completed (components operational) by itself. */
    auto_transition: z.boolean().default(true),
    notify: z.boolean().default(true),
    reminders: Reminders.default(["1h"]),
    repeat: Repeat.optional(),
  })
  .refine((m) => m.scheduled_until > m.scheduled_for, {
    message: "scheduled_until must be after scheduled_for",
    path: ["scheduled_until"],
  });
export type MaintenanceCreate = z.infer<typeof MaintenanceCreate>;

/** Rescheduling, renaming, or choosing other reminders; reminders not yet sent follow the new time. */
export const MaintenancePatch = z
  .strictObject({
    name: Name.optional(),
    scheduled_for: Timestamp.optional(),
    scheduled_until: Timestamp.optional(),
    reminders: Reminders.optional(),
  })
  .refine(changesSomething, nothingToChange)
  .refine((m) => !(m.scheduled_for && m.scheduled_until) || m.scheduled_until > m.scheduled_for, {
    message: "scheduled_until must be after scheduled_for",
    path: ["scheduled_until"],
  });
export type MaintenancePatch = z.infer<typeof MaintenancePatch>;

/** A series stops for good (DELETE), or ends earlier or later. */
export const MaintenanceSeriesPatch = z
  .strictObject({ until: z.iso.date().nullable().optional(), count: z.int().min(1).max(1000).nullable().optional() })
  .refine(changesSomething, nothingToChange);
export type MaintenanceSeriesPatch = z.infer<typeof MaintenanceSeriesPatch>;

export const MaintenanceUpdateCreate = z
  .strictObject({
    status: z.enum(maintenanceStatuses).optional(),
    body: Body.optional(),
    notify: z.boolean().default(true),
    display_at: Timestamp.optional(),
  })
  .refine((u) => u.status !== undefined || u.body !== undefined, "an update needs a status or a body");
export type MaintenanceUpdateCreate = z.infer<typeof MaintenanceUpdateCreate>;

/** A saved incident template: what "start from template" fills the new-incident form (or an API client) with. */
export const IncidentTemplateCreate = z.strictObject({
  name: Name,
  title: Name,
  body: Body.default(""),
  status: z.enum(incidentStatuses).default("investigating"),
  components: ComponentChanges.default({}),
  notify: z.boolean().default(true),
});
export type IncidentTemplateCreate = z.infer<typeof IncidentTemplateCreate>;

export const IncidentTemplatePatch = z
  .strictObject({
    name: Name.optional(),
    title: Name.optional(),
    body: Body.optional(),
    status: z.enum(incidentStatuses).optional(),
    components: ComponentChanges.optional(),
    notify: z.boolean().optional(),
  })
  .refine(changesSomething, nothingToChange);
export type IncidentTemplatePatch = z.infer<typeof IncidentTemplatePatch>;

export const PagePatch = z
  .strictObject({
    name: Name.optional(),
    url: z.url({ protocol: /^https?$/ }).optional(),
    time_zone: z.string().refine(isTimeZone, "must be an IANA time zone such as Europe/Paris").optional(),
  })
  .refine(changesSomething, nothingToChange);
export type PagePatch = z.infer<typeof PagePatch>;

export const ApiKeyCreate = z.strictObject({
  name: Name,
  scopes: z.array(z.enum(apiScopes)).min(1).default(["read", "write"]),
});
export type ApiKeyCreate = z.infer<typeof ApiKeyCreate>;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** An address as subscribers type it: trimmed, lower-cased, and never carrying a line break into a header. */
export const Email = z
  .string()
  .trim()
  .max(254)
  .refine((s) => !/[\r\n]/.test(s), "must not contain line breaks")
  .pipe(z.email("must be a valid email address"))
  .transform((s) => s.toLowerCase());

export const SubscribeInput = z.object({
  email: Email,
  /** Component ids; absent or empty means every component. */
  components: z.array(Id).max(1000).optional(),
});
export type SubscribeInput = z.infer<typeof SubscribeInput>;

/** A chat channel subscribing: its platform and incoming-webhook URL (checked per platform by the service). */
export const ChatSubscribeInput = z.object({
  channel: z.enum(chatPlatforms),
  webhook_url: z.string().trim().min(1, "must not be empty").max(2000),
  /** Component ids; absent or empty means every component. */
  components: z.array(Id).max(1000).optional(),
});
export type ChatSubscribeInput = z.infer<typeof ChatSubscribeInput>;

export const ManageInput = z.object({ components: z.array(Id).max(1000).optional() });

export const maxImportRows = 50_000;
/** Rows are validated one by one in the service, so that a bad row is reported rather than failing the import. */
export const SubscriberImport = z.strictObject({
  subscribers: z.array(z.unknown()).min(1).max(maxImportRows),
  skip_confirmation: z.boolean().default(false),
});
export const SubscriberImportRow = z.object({ email: Email, components: z.array(Id).max(1000).optional() });

export const WebhookCreate = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  description: z.string().max(500).optional(),
});
export type WebhookCreate = z.infer<typeof WebhookCreate>;

/** What a staff destination's target must be, by kind: an address as subscribers type it, or a URL. */
const staffTargets: Record<StaffDestinationKind, z.ZodType<string, string>> = {
  email: Email,
  // The SSRF rule is checked by the service before the destination is stored (api/outbound).
  webhook: z.url({ protocol: /^https?$/ }),
  // Staff chat destinations may point at any public host (a proxy, a self-hosted bridge); same rule as webhooks.
  slack: z.url({ protocol: /^https?$/ }),
  teams: z.url({ protocol: /^https?$/ }),
  discord: z.url({ protocol: /^https?$/ }),
  google_chat: z.url({ protocol: /^https?$/ }),
};

/** One object schema for every kind (the target's rule depends on `kind`), so the OpenAPI body stays an object. */
export const StaffDestinationCreate = z
  .strictObject({ kind: z.enum(staffDestinationKinds), target: z.string().max(2000), name: Name.optional() })
  .transform((input, ctx) => {
    const target = staffTargets[input.kind].safeParse(input.target);
    if (target.success) return { ...input, target: target.data };
    for (const issue of target.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: ["target"] });
    return z.NEVER;
  });
export type StaffDestinationCreate = z.infer<typeof StaffDestinationCreate>;

export const StaffAlertQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) });
