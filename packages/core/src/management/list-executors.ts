// listExecutors: the processes of the fleet, one per executor lease, and the workflows each owns.
import { checkOptions, maxInt4 } from "@durably/sysdb";
import { listExecutorLeases } from "@durably/sysdb/queries";
import type { DBOSContext } from "../dbos-context.js";
import { checkContext } from "../check-context.js";

/**
 * live: renewing its lease. lapsed: went `leaseLapseMs` without renewing (killed, paused or cut
 * off); its workflows are adopted by the live processes of its application. released: shut down
 * with `shutdown`. replaced: a process launched later with the same explicit executor ID took over.
 */
export type ExecutorState = "live" | "lapsed" | "released" | "replaced";

/** One process of the fleet, as its executor lease records it. */
export interface ExecutorInfo {
  /** The executor ID it runs as (config executorId, DBOS__VMID, or the default "local"). */
  readonly executorID: string;
  /** Its lease: the part before the dot of the owner token (owner_xid) of each workflow it runs. */
  readonly leaseID: string;
  readonly applicationName: string;
  readonly applicationVersion: string;
  readonly hostname: string;
  readonly pid: number;
  /** When it launched (or took a new lease after losing one), on the database clock. */
  readonly startedAt: Date;
  /** Its last renewal, on the database clock. */
  readonly renewedAt: Date;
  readonly state: ExecutorState;
  /** PENDING workflows still owned by this lease (an ended lease's drop to 0 once they are adopted). */
  readonly workflowsOwned: number;
}

export interface ListExecutorsOptions {
  /** Only executors in these states, e.g. `["live"]`. Default: every state. */
  readonly state?: readonly ExecutorState[];
  /** At most this many, newest first. Default: no limit. */
  readonly limit?: number;
  /**
   * Only this application's executors. Default true (a client without appName sees all); false
   * lists every application's.
   */
  readonly ownApplicationOnly?: boolean;
}

const executorStates: readonly ExecutorState[] = ["live", "lapsed", "released", "replaced"];

const listExecutorsRules = {
  state: { type: "array", items: { type: "string", enum: executorStates } },
  limit: { type: "number", integer: true, min: 0, max: maxInt4 },
  ownApplicationOnly: { type: "boolean" },
} as const;

/**
 * Lists the executors (launched processes) of the application, newest first: live ones, and those
 * that ended recently (the live processes forget an ended lease six lapses after it ended).
 * Accepts a launched context or a client from createClient.
 *
 * @example
 * const live = await listExecutors(dbos, { state: ["live"] });
 * for (const e of live) console.log(e.executorID, e.hostname, e.pid, e.workflowsOwned);
 */
export async function listExecutors(ctx: DBOSContext, options: ListExecutorsOptions = {}): Promise<ExecutorInfo[]> {
  checkContext("listExecutors", ctx);
  checkOptions("listExecutors", options, listExecutorsRules);
  const runtime = ctx.runtime;
  runtime.assertRunning("list executors");
  const scope = options.ownApplicationOnly === false ? undefined : runtime.applicationScope;
  // Filtered here, not in SQL: the table holds only live leases and those ended in the last six lapses.
  const leases = await listExecutorLeases(runtime.sysdb, scope);
  const states = options.state;
  const selected = states === undefined ? leases : leases.filter((lease) => states.includes(lease.state));
  return selected.slice(0, options.limit ?? selected.length).map((lease) => ({
    executorID: lease.executorID,
    leaseID: lease.leaseID,
    applicationName: lease.applicationName,
    applicationVersion: lease.applicationVersion,
    hostname: lease.hostname,
    pid: lease.pid,
    startedAt: lease.startedAt,
    renewedAt: lease.renewedAt,
    state: lease.state,
    workflowsOwned: lease.workflowsOwned,
  }));
}
