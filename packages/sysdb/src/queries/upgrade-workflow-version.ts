// Moving the PENDING and ENQUEUED workflows of one application version to another, whose code
// replays them: one statement, so a worker of the old version either finished a run first or is
// fenced off (its owner token no longer matches) and a worker of the new version resumes it.
import type { Expression, ExpressionBuilder, SqlBool } from "kysely";
import type { Queryable } from "../queryable.js";
import type { SystemSchema, WorkflowStatusTable } from "../tables.js";
import { enqueuedChannel } from "./channels.js";
import { requeueOnNewVersion, requeueQueueName } from "./requeue-on-new-version.js";
import { statusLiteral } from "./workflow-status-name.js";

export interface VersionUpgrade {
  readonly fromVersion: string;
  readonly toVersion: string;
  /** Only this application's rows (and those of no application); null: every application's. */
  readonly applicationName: string | null;
  readonly now: number;
  /** Select what would move, change nothing. */
  readonly dryRun: boolean;
}

export interface UpgradedWorkflowRecord {
  readonly workflowID: string;
  /** PENDING or ENQUEUED: its status before the upgrade (after it, every one is ENQUEUED). */
  readonly previousStatus: string;
  /** Its queue after the upgrade: its own, or the internal queue for a PENDING run started directly. */
  readonly queueName: string;
}

/**
 * Sets application_version to `toVersion` on the PENDING and ENQUEUED workflows of `fromVersion`
 * and puts the PENDING ones back to ENQUEUED (their own queue, else the internal one) with no owner,
 * so whichever worker serving `toVersion` dequeues them first replays them from their checkpoints;
 * then wakes the dequeuers. A process still running one of them fails its next checkpoint (it
 * checks its owner token) and stops it. Returns the workflows moved (or, dry, that would move).
 *
 * @example
 * const upgrade = { fromVersion: "v1", toVersion: "v2", applicationName: "shop", now: Date.now(), dryRun: false };
 * const moved = await upgradeWorkflowVersion(sysdb, upgrade);
 */
export async function upgradeWorkflowVersion(on: Queryable, u: VersionUpgrade): Promise<UpgradedWorkflowRecord[]> {
  type W = ExpressionBuilder<SystemSchema & { w: WorkflowStatusTable }, "w">;
  const selected = (eb: W): Expression<SqlBool> =>
    eb.and([
      eb("w.application_version", "=", u.fromVersion),
      eb("w.status", "in", [statusLiteral("PENDING"), statusLiteral("ENQUEUED")]),
      ...(u.applicationName === null
        ? []
        : [eb.or([eb("w.application_name", "=", u.applicationName), eb("w.application_name", "is", null)])]),
    ]);
  if (u.dryRun) {
    const rows = await on.db
      .selectFrom("workflow_status as w")
      .select((eb) => [
        "w.workflow_uuid",
        eb.ref("w.status").$notNull().as("previous_status"),
        requeueQueueName(eb).as("queue_name"),
      ])
      .where(selected)
      .orderBy("w.created_at")
      .orderBy("w.workflow_uuid")
      .execute();
    return rows.map(toUpgradedRecord);
  }
  const rows = await on.db
    .with("before", (db) =>
      db.selectFrom("workflow_status as w").select(["w.workflow_uuid", "w.status"]).where(selected).forUpdate(),
    )
    .with("moved", (db) =>
      db
        .updateTable("workflow_status as w")
        .from("before as b")
        .set((eb) => requeueOnNewVersion(eb, eb.ref("b.status").$notNull(), u.toVersion, u.now))
        .whereRef("w.workflow_uuid", "=", "b.workflow_uuid")
        .returning((eb) => [
          "w.workflow_uuid",
          eb.ref("b.status").$notNull().as("previous_status"),
          eb.ref("w.queue_name").$notNull().as("queue_name"),
          "w.created_at",
        ]),
    )
    .with("woken", (db) =>
      db
        .selectFrom((db) => db.selectFrom("moved").select("queue_name").distinct().as("q"))
        .select((eb) => eb.fn("pg_notify", [eb.val(enqueuedChannel), "q.queue_name"]).as("n")),
    )
    .selectFrom("moved")
    .select((eb) => [
      "workflow_uuid",
      "previous_status",
      "queue_name",
      eb
        .selectFrom("woken")
        .select((eb) => eb.fn.countAll().as("n"))
        .$asScalar()
        .as("woken"),
    ])
    .orderBy("created_at")
    .orderBy("workflow_uuid")
    .execute();
  return rows.map(toUpgradedRecord);
}

function toUpgradedRecord(row: { workflow_uuid: string; previous_status: string; queue_name: string }) {
  return { workflowID: row.workflow_uuid, previousStatus: row.previous_status, queueName: row.queue_name };
}
