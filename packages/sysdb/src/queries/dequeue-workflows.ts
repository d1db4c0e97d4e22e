// Dequeueing: moving ENQUEUED workflows of a queue to PENDING for this executor in one statement,
// skipping rows another worker is claiming. It runs on every poll of every queue, so it is compiled once.
import { sql } from "kysely";
import { CompiledStatement } from "../compiled-statement.js";
import type { Queryable } from "../queryable.js";
import { claimWithToken } from "./claim-with-token.js";
import { databaseNow } from "./database-now.js";
import type { ExecutorIdentity } from "./executor-identity.js";
import { textArrayOfJson } from "./text-array.js";
import { toWorkflowRecord, type WorkflowRecord } from "./workflow-record.js";
import { statusLiteral } from "./workflow-status-name.js";

export interface DequeueOptions {
  /** The executor claiming: its ID, lease, application and the versions it serves. */
  readonly identity: ExecutorIdentity;
  readonly queueName: string;
  /** Most workflows to claim. */
  readonly limit: number;
  /** Only workflows with these names (the ones this executor can run). */
  readonly names: readonly string[];
  /** Only this partition of a partitioned queue (default: the whole queue). */
  readonly partitionKey?: string | null;
  /** Marks claimed rows as counting toward the queue's rate limit (default false). */
  readonly rateLimited?: boolean;
}

/**
 * Moves up to `limit` ENQUEUED workflows of `queueName` to PENDING for this executor, in
 * priority then creation order, skipping rows another worker is claiming; none while the queue is paused. Rows of the versions it
 * serves keep their version (it names the code that recorded their steps); rows of no application
 * version are taken too and get this executor's (it counts as the latest version). Start times
 * and deadlines come from the database clock. A claim whose reply is lost is found again by its
 * token (see claimWithToken), so its workflows are not stranded.
 *
 * @example
 * const claimed = await dequeueWorkflows(sysdb, { identity: me, queueName: "emails", limit: 10, names: ["send"] });
 */
export function dequeueWorkflows(on: Queryable, options: DequeueOptions): Promise<WorkflowRecord[]> {
  return claimWithToken(on, options.identity.leaseID, (token) => dequeueWithToken(on, options, token));
}

/** The claim statement itself; every claimed row gets `token` as its owner. `on` may be a transaction. */
export async function dequeueWithToken(
  on: Queryable,
  options: DequeueOptions,
  token: string,
): Promise<WorkflowRecord[]> {
  const me = options.identity;
  const rows = await dequeue.execute(on, {
    queueName: options.queueName,
    servedVersionsJson: JSON.stringify(me.servedVersions),
    applicationName: me.applicationName,
    namesJson: JSON.stringify(options.names),
    partitionKey: options.partitionKey ?? null,
    limit: options.limit,
    executorID: me.executorID,
    applicationVersion: me.applicationVersion,
    token,
    rateLimited: options.rateLimited ?? false,
  });
  return rows.map(toWorkflowRecord);
}

interface DequeueParameters {
  queueName: string;
  /** JSON arrays of strings (see text-array.ts). */
  servedVersionsJson: string;
  namesJson: string;
  applicationName: string;
  partitionKey: string | null;
  limit: number;
  executorID: string;
  applicationVersion: string;
  token: string;
  rateLimited: boolean;
}

const dequeue = new CompiledStatement((db, p: DequeueParameters) =>
  db
    .with("picked", (db) =>
      db
        .selectFrom("workflow_status")
        .select("workflow_uuid")
        .where("queue_name", "=", p.queueName)
        .where("status", "=", statusLiteral("ENQUEUED"))
        .where((eb) =>
          eb.or([
            eb("application_version", "=", eb.fn.any(textArrayOfJson(p.servedVersionsJson))),
            eb("application_version", "is", null),
          ]),
        )
        .where((eb) => eb.or([eb("application_name", "=", p.applicationName), eb("application_name", "is", null)]))
        .where((eb) => eb("name", "=", eb.fn.any(textArrayOfJson(p.namesJson))))
        .where((eb) => {
          const partition = eb.cast<string | null>(eb.val(p.partitionKey), "text");
          return eb.or([eb(partition, "is", null), eb("queue_partition_key", "=", partition)]);
        })
        // A paused queue (pauseQueue) gives nothing, to any statement that starts after the pause committed.
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom("durably_queue_pauses")
                .select(sql.lit(1).as("one"))
                .where("durably_queue_pauses.queue_name", "=", p.queueName),
            ),
          ),
        )
        .orderBy("priority")
        .orderBy("created_at")
        .limit(p.limit)
        .forUpdate()
        .skipLocked(),
    )
    .with("claimed", (db) =>
      db
        .updateTable("workflow_status as w")
        .from("picked")
        .set((eb) => ({
          status: statusLiteral("PENDING"),
          executor_id: p.executorID,
          application_version: eb.fn.coalesce("w.application_version", eb.val(p.applicationVersion)),
          application_name: eb.fn.coalesce("w.application_name", eb.val(p.applicationName)),
          started_at_epoch_ms: databaseNow,
          updated_at: databaseNow,
          owner_xid: p.token,
          recovery_attempts: eb("w.recovery_attempts", "+", sql.lit(1)),
          rate_limited: p.rateLimited,
          workflow_deadline_epoch_ms: eb
            .case()
            .when(eb.and([eb("w.workflow_timeout_ms", "is not", null), eb("w.workflow_deadline_epoch_ms", "is", null)]))
            .then(eb(databaseNow, "+", eb.ref("w.workflow_timeout_ms")))
            .else(eb.ref("w.workflow_deadline_epoch_ms"))
            .end(),
        }))
        .whereRef("w.workflow_uuid", "=", "picked.workflow_uuid")
        .returningAll("w"),
    )
    .selectFrom("claimed as c")
    .leftJoin("workflow_input as i", "i.workflow_uuid", "c.workflow_uuid")
    .selectAll("c")
    .select((eb) => [
      eb.fn.coalesce("i.inputs", "c.inputs").as("inputs"),
      eb
        .exists(
          eb
            .selectFrom("operation_outputs as o")
            .select(sql.lit(1).as("one"))
            .whereRef("o.workflow_uuid", "=", "c.workflow_uuid"),
        )
        .$castTo<boolean>()
        .as("has_checkpoints"),
    ])
    .orderBy("c.priority")
    .orderBy("c.created_at"),
);
