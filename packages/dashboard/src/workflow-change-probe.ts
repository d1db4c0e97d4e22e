// The live feed's probe for views of every workflow (the list, queues, workers): the workflows
// created, started or finished since the last probe, read through the indexes on those times.
// Commits' timestamps come from their writers' clocks, so each probe looks a little further back and
// skips what it already announced.
import type { SystemDatabase } from "@durably/sysdb";
import { recentWorkflowChanges } from "@durably/sysdb/queries";

/** How far back each probe looks again, for commits whose timestamps came from a slower clock. */
const overlapMs = 3_000;
/** The most changes of each kind one probe reads; more means "everything changed". */
const probeLimit = 500;

export class WorkflowChangeProbe {
  readonly #sysdb: SystemDatabase;
  #since: number | undefined;
  /** Changes already announced, by key, with their time (pruned to the overlap window). */
  readonly #announced = new Map<string, number>();
  /** Probes run so far. */
  probes = 0;

  constructor(sysdb: SystemDatabase) {
    this.#sysdb = sysdb;
  }

  /** The workflows that changed since the last call ("all" when too many did); none on the first call. */
  async changed(): Promise<string[] | "all"> {
    this.probes++;
    const since = this.#since;
    const { changes, nowMs } = await recentWorkflowChanges(this.#sysdb, (since ?? Date.now()) - overlapMs, probeLimit, {
      steps: false,
    });
    this.#since = nowMs;
    const ids = new Set<string>();
    for (const c of changes) {
      const key = `${c.workflowID}|${c.what}|${c.at}`;
      if (this.#announced.has(key)) continue;
      this.#announced.set(key, c.at);
      ids.add(c.workflowID);
    }
    for (const [key, at] of this.#announced) if (at < nowMs - 2 * overlapMs) this.#announced.delete(key);
    // The first probe only learns what is already there.
    if (since === undefined) return [];
    return changes.length >= probeLimit ? "all" : [...ids];
  }

  /** Forgets everything (no tab shows every workflow now); the next probe starts afresh. */
  reset(): undefined {
    this.#since = undefined;
    this.#announced.clear();
    return undefined;
  }
}
