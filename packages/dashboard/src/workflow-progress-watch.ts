// The live feed's watch over the workflows open in some tab: one query for all of them per tick
// (status row and steps, by primary key), compared with what the last tick saw. It remembers only the
// workflows still watched, so its memory follows what is open.
import type { SystemDatabase } from "@durably/sysdb";
import { watchedWorkflowProgress } from "@durably/sysdb/queries";

export class WorkflowProgressWatch {
  readonly #sysdb: SystemDatabase;
  /** Workflow ID → its progress as the last tick saw it. */
  #seen = new Map<string, string>();
  /** Queries run so far. */
  queries = 0;

  constructor(sysdb: SystemDatabase) {
    this.#sysdb = sysdb;
  }

  /**
   * The workflows of `watched` that changed since the last call. One seen for the first time counts as
   * changed: its tab may have read it before the watch began.
   */
  async changed(watched: ReadonlySet<string>): Promise<string[]> {
    if (watched.size === 0) {
      this.#seen.clear();
      return [];
    }
    this.queries++;
    const rows = await watchedWorkflowProgress(this.#sysdb, [...watched]);
    const next = new Map<string, string>();
    const changed: string[] = [];
    for (const r of rows) {
      next.set(r.workflowID, r.fingerprint);
      if (this.#seen.get(r.workflowID) !== r.fingerprint) changed.push(r.workflowID);
    }
    this.#seen = next;
    return changed;
  }

  reset(): void {
    this.#seen.clear();
  }
}
