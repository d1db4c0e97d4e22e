// listApplicationVersions: the versions of the application (DBOS's application_versions table),
// with the live processes serving each and the workflows waiting on each, stranded ones flagged.
import { checkOptions } from "@durably/sysdb";
import { listVersionOverview } from "@durably/sysdb/queries";
import type { DBOSContext } from "../dbos-context.js";
import { checkContext } from "../check-context.js";

/** One application version, as the database knows it. */
export interface ApplicationVersionInfo {
  readonly versionName: string;
  /** application_versions.version_id; null when no process of it recorded it (only workflows name it). */
  readonly versionID: string | null;
  readonly applicationName: string | null;
  /** When a process of this version first launched (created_at); null when never recorded. */
  readonly firstSeenAt: Date | null;
  /** version_timestamp: the highest is DBOS's "latest" version. */
  readonly timestamp: Date | null;
  /** Live processes (executor leases) serving this version. */
  readonly liveExecutors: number;
  /** PENDING workflows of this version. */
  readonly pending: number;
  /** ENQUEUED workflows of this version. */
  readonly enqueued: number;
  /**
   * True when it has PENDING or ENQUEUED workflows and no live process serves it: nothing will run
   * them until a worker of this version starts, or `upgradeWorkflows` moves them to a served one.
   * Processes of DBOS's SDKs hold no lease, so their versions count as unserved.
   */
  readonly stranded: boolean;
}

export interface ListApplicationVersionsOptions {
  /**
   * Only this application's versions. Default true (a client without appName sees all); false
   * lists every application's.
   */
  readonly ownApplicationOnly?: boolean;
}

const listApplicationVersionsRules = {
  ownApplicationOnly: { type: "boolean" },
} as const;

/**
 * Lists the application versions, latest first: those recorded in application_versions (each
 * launch records its own), and any that a PENDING or ENQUEUED workflow or a live process names.
 * Accepts a launched context or a client from createClient.
 *
 * @example
 * for (const v of await listApplicationVersions(dbos)) {
 *   if (v.stranded) console.warn(`${v.pending + v.enqueued} workflows of ${v.versionName} wait for a worker`);
 * }
 */
export async function listApplicationVersions(
  ctx: DBOSContext,
  options: ListApplicationVersionsOptions = {},
): Promise<ApplicationVersionInfo[]> {
  checkContext("listApplicationVersions", ctx);
  checkOptions("listApplicationVersions", options, listApplicationVersionsRules);
  const runtime = ctx.runtime;
  runtime.assertRunning("list application versions");
  const scope = options.ownApplicationOnly === false ? undefined : runtime.applicationScope;
  const versions = await listVersionOverview(runtime.sysdb, scope ?? null);
  return versions.map((v) => ({
    versionName: v.versionName,
    versionID: v.versionID,
    applicationName: v.applicationName,
    firstSeenAt: v.createdAt === null ? null : new Date(v.createdAt),
    timestamp: v.timestamp === null ? null : new Date(v.timestamp),
    liveExecutors: v.liveExecutors,
    pending: v.pending,
    enqueued: v.enqueued,
    stranded: v.liveExecutors === 0 && v.pending + v.enqueued > 0,
  }));
}
