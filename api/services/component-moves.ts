import type { StaffDeps } from "./audit";
import { reorder } from "./components";
import { type Written, written } from "./effects";
import { loadComponentTree } from "./read-model";

/**
 * Moves a group or component one place up or down among its siblings: a group's components, or the top level where
 * groups and ungrouped components share one order. The whole sibling order is written again, as the API's reorder
 * does. At either end nothing changes.
 */
export async function moveInOrder(deps: StaffDeps, id: string, direction: "up" | "down"): Promise<Written<boolean>> {
  const tree = await loadComponentTree(deps.db);
  const top = tree.layout.map((row) => (row.type === "group" ? row.group.id : row.component.id));
  const parent = tree.groups.find((g) => g.components.some((c) => c.id === id));
  const siblings = parent ? parent.components.map((c) => c.id) : top;
  const at = siblings.indexOf(id);
  const to = direction === "up" ? at - 1 : at + 1;
  if (at === -1 || to < 0 || to >= siblings.length) return written(false, {});
  [siblings[at], siblings[to]] = [siblings[to]!, siblings[at]!];
  const kind = tree.groups.some((g) => g.id === id) ? "group" : "component";
  const { effects } = await reorder(deps, siblings, kind);
  return written(true, effects);
}
