// Recovery claims: taking this executor's PENDING rows at launch, dead-lettering runs that
// exceeded their recovery attempts, and handing dead executors' rows to whoever dequeues them.
import { sql, type ExpressionBuilder } from "kysely";
import type { Queryable } from "../queryable.js";
import type { SystemSchema } from "../tables.js";
import { enqueuedChannel } from "./channels.js";
import { claimWithToken } from "./claim-with-token.js";
import type { ExecutorIdentity } from "./executor-identity.js";
import { textArray } from "./text-array.js";
import { internalQueueName, toWorkflowRecord, type WorkflowRecord } from "./workflow-record.js";
import { statusLiteral } from "./workflow-status-name.js";

/**
 * This executor's PENDING rows of the versions it serves that no live process is running: rows
 * whose owner token names a live lease of another process with the same executor ID are left to it.
 */
function recoverable(eb: ExpressionBuilder<SystemSchema, "workflow_status">, me: ExecutorIdentity) {
  return eb.and([
    eb("status", "=", statusLiteral("PENDING")),
    eb("executor_id", "=", me.executorID),
    eb("application_version", "=", eb.fn.any(textArray(me.servedVersions))),
    eb.or([eb("application_name", "=", me.applicationName), eb("application_name", "is", null)]),
    eb.not(
      eb.exists(
        eb
          .selectFrom("durably_executor_leases as l")
          .select(sql.lit(1).as("one"))
          .where(
            "l.lease_id",
            "=",
            eb.fn<string>("split_part", ["workflow_status.owner_xid", sql.lit("."), sql.lit(1)]),
          )
          .where("l.ended_at", "is", null)
          .where("l.lease_id", "<>", me.leaseID),
      ),
    ),
  ]);
}

/**
 * Claims this executor's PENDING workflows of the versions it serves that are not on a user
 * queue, bumping `recovery_attempts`. Those on a user queue go back to ENQUEUED on their queue,
 * so recovery respects the queue's flow control. Rows a live process is running (their owner
 * token names a live lease: another process with the same executor ID) are left to it. Returns
 * the claimed rows with their inputs.
 *
 * @example
 * const recovered = await claimWorkflowsForRecovery(sysdb, runtime.executorIdentity());
 */
export async function claimWorkflowsForRecovery(on: Queryable, me: ExecutorIdentity): Promise<WorkflowRecord[]> {
  await on.db
    .with(
      (cte) => cte("candidates").materialized(),
      (db) =>
        db
          .selectFrom("workflow_status")
          .select(["workflow_uuid", "owner_xid"])
          .where((eb) => recoverable(eb, me))
          .where("queue_name", "is not", null)
          .where("queue_name", "<>", internalQueueName),
    )
    .updateTable("workflow_status as w")
    .from("candidates as c")
    .set({ status: statusLiteral("ENQUEUED"), started_at_epoch_ms: sql.lit(null), updated_at: me.now })
    // The rows are picked on the statement's snapshot and updated only if their owner token is still
    // the one seen: a row a live process claimed meanwhile passes the NOT EXISTS of `recoverable`, which
    // Postgres does not re-run against a row's newest version (see adopt-orphaned-workflows.ts, lockedIfUnchanged).
    .whereRef("w.workflow_uuid", "=", "c.workflow_uuid")
    .where((eb) => eb("w.owner_xid", "is not distinct from", eb.ref("c.owner_xid")))
    .where("w.status", "=", statusLiteral("PENDING"))
    .execute();
  return claimWithToken(on, me.leaseID, async (token) => {
    const rows = await on.db
      .with(
        (cte) => cte("candidates").materialized(),
        (db) =>
          db
            .selectFrom("workflow_status")
            .select(["workflow_uuid", "owner_xid"])
            .where((eb) => recoverable(eb, me))
            .where((eb) => eb.or([eb("queue_name", "is", null), eb("queue_name", "=", internalQueueName)])),
      )
      .with("claimed", (db) =>
        db
          .updateTable("workflow_status as w")
          .from("candidates as c")
          .set((eb) => ({
            owner_xid: token,
            recovery_attempts: eb("w.recovery_attempts", "+", sql.lit(1)),
            updated_at: me.now,
            application_name: eb.fn.coalesce("w.application_name", eb.val(me.applicationName)),
          }))
          .whereRef("w.workflow_uuid", "=", "c.workflow_uuid")
          .where((eb) => eb("w.owner_xid", "is not distinct from", eb.ref("c.owner_xid")))
          .where("w.status", "=", statusLiteral("PENDING"))
          .where("w.executor_id", "=", me.executorID)
          .returningAll("w"),
      )
      .selectFrom("claimed as c")
      .leftJoin("workflow_input as i", "i.workflow_uuid", "c.workflow_uuid")
      .selectAll("c")
      .select((eb) => eb.fn.coalesce("i.inputs", "c.inputs").as("inputs"))
      .orderBy("c.created_at")
      .execute();
    return rows.map(toWorkflowRecord);
  });
}

/**
 * Dead-letters a claimed workflow that exceeded its recovery attempts: status
 * MAX_RECOVERY_ATTEMPTS_EXCEEDED, queue and deduplication cleared. Only while this run owns it.
 */
export async function deadLetterWorkflow(
  on: Queryable,
  workflowID: string,
  ownerXid: string,
  now: number,
): Promise<boolean> {
  const rows = await on.db
    .updateTable("workflow_status")
    .set({
      status: statusLiteral("MAX_RECOVERY_ATTEMPTS_EXCEEDED"),
      deduplication_id: sql.lit(null),
      started_at_epoch_ms: sql.lit(null),
      queue_name: sql.lit(null),
      owner_xid: sql.lit(null),
      updated_at: now,
    })
    .where("workflow_uuid", "=", workflowID)
    .where("status", "=", statusLiteral("PENDING"))
    .where("owner_xid", "=", ownerXid)
    .returning("workflow_uuid")
    .execute();
  return rows.length === 1;
}

/**
 * Hands the PENDING workflows of other (presumably dead) executors to whichever executor of
 * their application version dequeues them first: they go back to ENQUEUED on the internal
 * queue (or their own queue). Returns the IDs moved.
 */
export async function requeueWorkflowsOfExecutors(
  on: Queryable,
  executorIDs: readonly string[],
  applicationName: string,
  now: number,
): Promise<string[]> {
  const rows = await on.db
    .with("moved", (db) =>
      db
        .updateTable("workflow_status")
        .set((eb) => ({
          status: statusLiteral("ENQUEUED"),
          started_at_epoch_ms: sql.lit(null),
          updated_at: now,
          queue_name: eb.fn.coalesce(
            eb.fn<string | null>("nullif", ["queue_name", sql.lit("")]),
            eb.val(internalQueueName),
          ),
        }))
        .where("status", "=", statusLiteral("PENDING"))
        .where((eb) => eb("executor_id", "=", eb.fn.any(textArray(executorIDs))))
        .where((eb) => eb.or([eb("application_name", "=", applicationName), eb("application_name", "is", null)]))
        .returning(["workflow_uuid", "queue_name"]),
    )
    .with("woken", (db) =>
      db
        .selectFrom((db) => db.selectFrom("moved").select("queue_name").distinct().as("q"))
        .select((eb) => eb.fn("pg_notify", [eb.val(enqueuedChannel), "q.queue_name"]).as("n")),
    )
    .selectFrom("moved")
    .select((eb) => [
      "moved.workflow_uuid",
      // Selecting from `woken` makes the statement run it (a CTE nobody reads is skipped).
      eb
        .selectFrom("woken")
        .select((eb) => eb.fn.countAll().as("n"))
        .$asScalar()
        .as("n"),
    ])
    .execute();
  return rows.map((r) => r.workflow_uuid);
}
