// The columns an upgrade sets on each workflow it moves to a new application version, shared by
// the explicit upgrade (upgradeWorkflowVersion) and the automatic one of stranded versions, so the
// two can never put a workflow back on a queue differently.
import type { Expression, ExpressionBuilder } from "kysely";
import type { SystemSchema, WorkflowStatusTable } from "../tables.js";
import { internalQueueName } from "./workflow-record.js";
import { statusLiteral } from "./workflow-status-name.js";

type W = ExpressionBuilder<SystemSchema & { w: WorkflowStatusTable }, "w">;

/** The queue a moved workflow `w` goes back on: its own, or the internal one for a run started directly. */
export function requeueQueueName(eb: W) {
  return eb.fn.coalesce(eb.fn<string | null>("nullif", ["w.queue_name", eb.val("")]), eb.val(internalQueueName));
}

/**
 * The SET of an UPDATE of `workflow_status as w` moving a PENDING or ENQUEUED row (its status before
 * the update: `previousStatus`) to `toVersion`, ENQUEUED on {@link requeueQueueName}; a PENDING row
 * loses its owner and start time, so a worker of `toVersion` claims and replays it.
 */
export function requeueOnNewVersion(eb: W, previousStatus: Expression<string>, toVersion: string, now: number) {
  const clearedIfPending = <C extends "w.owner_xid" | "w.started_at_epoch_ms">(column: C) =>
    eb.case().when(previousStatus, "=", statusLiteral("PENDING")).then(null).else(eb.ref(column)).end();
  return {
    application_version: toVersion,
    status: statusLiteral("ENQUEUED"),
    queue_name: requeueQueueName(eb),
    updated_at: now,
    owner_xid: clearedIfPending("w.owner_xid"),
    started_at_epoch_ms: clearedIfPending("w.started_at_epoch_ms"),
  };
}
