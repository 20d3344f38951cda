import { z } from "zod";
import { chatPlatforms } from "@/db/vocabulary";

/**
 * Staff channels (`/api/v1/channels`): a chat webhook that gets every incident update (`broadcast`, optionally only for
 * some components) or the staff alerts (`alerts`, a staff destination of the chat kind).
 */
export const ChannelCreate = z.strictObject({
  type: z.enum(chatPlatforms),
  // The SSRF rule is checked by the service before the channel is stored (api/outbound).
  url: z.url({ protocol: /^https?$/ }).max(2000),
  purpose: z.enum(["broadcast", "alerts"]),
  components: z.array(z.string().min(1).max(64)).max(1000).optional(),
  name: z.string().trim().min(1, "must not be empty").max(255).optional(),
});
export type ChannelCreate = z.infer<typeof ChannelCreate>;

/** `enabled: true` puts a disabled channel back to work; `false` stops it by hand. */
export const ChannelPatch = z.strictObject({ enabled: z.boolean() });
export type ChannelPatch = z.infer<typeof ChannelPatch>;
