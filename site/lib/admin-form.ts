import type { AdminConsoleView } from "@/present/admin-views";

/** What was typed into a refused form, to show it again; `fallback` when this form was not the refused one. */
export function refilled(error: AdminConsoleView["error"], form: string) {
  const values = error?.form === form ? error.values : null;
  return {
    message: values ? error!.message : null,
    value: (name: string, fallback = "") => (values ? (values[name]?.[0] ?? "") : fallback),
    has: (name: string, value: string, fallback = false) => (values ? (values[name] ?? []).includes(value) : fallback),
    refused: values !== null,
  };
}
