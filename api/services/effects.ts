/**
 * What a write changed beyond its rows. Every write verb returns its value with its effects, and `commit` is the one
 * place they are applied, so no route, console form, tick or automation can forget to republish or to wake the
 * senders.
 */
import type { Change } from "@/api/publish/publisher";

export type Effects = {
  /** Pages to republish. */
  publish?: Change;
  /** The outbox may hold new work (emails, webhooks): wake the senders. */
  wake?: boolean;
};

export type Written<T> = { value: T; effects: Effects };

export const written = <T>(value: T, effects: Effects): Written<T> => ({ value, effects });

/** What applies effects: the publisher and the senders of the runtime at hand. */
export type EffectTarget = { publisher: { touch(change: Change): void }; notifier: { wake(): void } };

export function applyEffects(target: EffectTarget, effects: Effects) {
  if (effects.publish) target.publisher.touch(effects.publish);
  if (effects.wake) target.notifier.wake();
}

/** Awaits a write, applies its effects and gives its value. */
export async function commit<T>(target: EffectTarget, write: Promise<Written<T>>): Promise<T> {
  const { value, effects } = await write;
  applyEffects(target, effects);
  return value;
}

/** An incident's or maintenance's pages, and whatever it queued for subscribers and webhooks. */
export const incidentEffects = (id: string): Effects => ({ publish: { incidents: [id] }, wake: true });
/** A component or group change shows on every page-wide document; a status change may queue webhooks. */
export const componentEffects: Effects = { publish: {}, wake: true };
