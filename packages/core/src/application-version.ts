// The default application version: a hash of the registered workflows' names and source, so a
// code change makes a new version and recovery never replays old checkpoints with new code.
import { createHash } from "node:crypto";
import type { AnyWorkflow } from "./workflow.js";

export function computeApplicationVersion(registry: ReadonlyMap<string, AnyWorkflow>): string {
  const hash = createHash("sha256");
  for (const name of [...registry.keys()].sort()) {
    hash.update(name).update("\0").update(registry.get(name)!.fn.toString()).update("\0");
  }
  return hash.digest("hex").slice(0, 32);
}
