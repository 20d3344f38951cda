import type { ChatPlatform } from "@/db/vocabulary";
import type { PageInfo } from "./views";

/** The platforms a customer can subscribe a chat channel on, as the subscribe form offers them. */
export const chatPlatformChoices: { value: ChatPlatform; label: string }[] = [
  { value: "slack", label: "Slack" },
  { value: "teams", label: "Microsoft Teams" },
  { value: "discord", label: "Discord" },
  { value: "google_chat", label: "Google Chat" },
];

/** The pages a subscriber reaches from a form or an email: rendered per request, never published. */
export type SubscriptionPageView = {
  page: PageInfo;
  title: string;
  message: string;
  /** A form to show: where it posts, its button, and, to choose components, the choices. */
  form?: {
    action: string;
    button: string;
    /** Carried in the form's body, not its URL: a token here never reaches a Referer or the address bar. */
    hidden?: { name: string; value: string }[];
    choices?: { id: string; name: string; group: string | null; checked: boolean }[];
  };
  /** A second, plain form: the manage page's way to leave altogether. */
  leave?: { action: string; button: string };
};
