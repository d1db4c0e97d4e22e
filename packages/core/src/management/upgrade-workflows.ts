// upgradeWorkflows: an operator moves the unfinished workflows of one application version to a
// newer one whose code replays them, so a deploy that changed the version strands nothing.
import { checkOptions, DurablyError } from "@durably/sysdb";
import { listVersionOverview, upgradeWorkflowVersion } from "@durably/sysdb/queries";
import type { DBOSContext } from "../dbos-context.js";
import { checkContext } from "../check-context.js";

export interface UpgradeWorkflowsOptions {
  /** The application version whose PENDING and ENQUEUED workflows move. Required. */
  readonly from: string;
  /**
   * The version they move to: its code must replay their recorded steps (the same steps in the
   * same order, or changes guarded by `patched`). Required; it must be a known version (recorded
   * in application_versions or served by a live process).
   */
  readonly to: string;
  /** Report what would move and change nothing. Default false. */
  readonly dryRun?: boolean;
}

export interface UpgradeWorkflowsResult {
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  /** The workflows moved (or that would move), oldest first, with their status before. */
  readonly workflows: ReadonlyArray<{ readonly workflowID: string; readonly previousStatus: "PENDING" | "ENQUEUED" }>;
  /** How many were PENDING (now ENQUEUED, to be resumed by a worker of `to`). */
  readonly pending: number;
  /** How many were ENQUEUED (they keep their queue). */
  readonly enqueued: number;
  /** Live processes serving `to` now: with none, the workflows wait until a worker of `to` starts. */
  readonly liveExecutorsOfTarget: number;
}

const upgradeWorkflowsRules = {
  from: { type: "string", required: true, nonEmpty: true },
  to: { type: "string", required: true, nonEmpty: true },
  dryRun: { type: "boolean" },
} as const;

/**
 * Moves the PENDING and ENQUEUED workflows of application version `from` to version `to`, in one
 * statement: ENQUEUED ones keep their queue; PENDING ones go back to ENQUEUED (on their queue, or
 * the internal one) with no owner, and the first live worker serving `to` to dequeue each replays
 * it from its checkpoints. A process of `from` still running one of them is fenced off: its next
 * step fails its ownership check and it stops that run (a DBOS SDK process checks no owner token:
 * stop those first). Accepts a launched context or a client; refuses to run inside a workflow.
 *
 * @example
 * const preview = await upgradeWorkflows(client, { from: "v1", to: "v2", dryRun: true });
 * console.log(`${preview.workflows.length} workflows would move`);
 * await upgradeWorkflows(client, { from: "v1", to: "v2" });
 */
export async function upgradeWorkflows(
  ctx: DBOSContext,
  options: UpgradeWorkflowsOptions,
): Promise<UpgradeWorkflowsResult> {
  checkContext("upgradeWorkflows", ctx);
  checkOptions("upgradeWorkflows", options, upgradeWorkflowsRules);
  const { from, to } = options;
  const dryRun = options.dryRun === true;
  if (from === to) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `upgradeWorkflows: the options from and to are both ${from}; name two versions.`,
      {
        details: { option: "to" },
      },
    );
  }
  const runtime = ctx.runtime;
  runtime.assertRunning("upgrade workflows");
  if (ctx.inStep || ctx.run !== undefined) {
    throw new DurablyError("INVALID_ARGUMENT", "upgradeWorkflows is an operator's call: use it outside workflows.");
  }
  const scope = runtime.applicationScope ?? null;
  // Checked first so a misspelled version does not strand every workflow of `from` on it.
  const target = (await listVersionOverview(runtime.sysdb, scope)).find((v) => v.versionName === to);
  if (target === undefined || (target.versionID === null && target.liveExecutors === 0)) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `upgradeWorkflows: the option to names version ${to}, which no process ${scope === null ? "" : `of ${scope} `}` +
        "has launched with; start a worker of that version first (durably version list shows the known ones).",
      { details: { option: "to" } },
    );
  }
  const moved = await upgradeWorkflowVersion(runtime.sysdb, {
    fromVersion: from,
    toVersion: to,
    applicationName: scope,
    now: runtime.now(),
    dryRun,
  });
  const workflows = moved.map((m) => ({
    workflowID: m.workflowID,
    previousStatus: m.previousStatus as "PENDING" | "ENQUEUED",
  }));
  return {
    from,
    to,
    dryRun,
    workflows,
    pending: workflows.filter((w) => w.previousStatus === "PENDING").length,
    enqueued: workflows.filter((w) => w.previousStatus === "ENQUEUED").length,
    liveExecutorsOfTarget: target.liveExecutors,
  };
}
