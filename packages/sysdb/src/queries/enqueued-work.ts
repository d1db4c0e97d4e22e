// Where ENQUEUED work waits: the partitions of a partitioned queue, and queues nobody defined.
import { sql } from "kysely";
import type { Queryable } from "../queryable.js";
import { textArray } from "./text-array.js";
import { statusLiteral } from "./workflow-status-name.js";

/** The partition keys that have ENQUEUED work on a partitioned queue. */
export async function listEnqueuedPartitions(on: Queryable, queueName: string): Promise<string[]> {
  const rows = await on.db
    .selectFrom("workflow_status")
    .select("queue_partition_key as key")
    .distinct()
    .where("queue_name", "=", queueName)
    .where("status", "=", statusLiteral("ENQUEUED"))
    .where("queue_partition_key", "is not", null)
    .$narrowType<{ key: string }>()
    .execute();
  return rows.map((r) => r.key);
}

/** Queue names with ENQUEUED work of this application that no queue definition covers. */
export async function listUnservedQueueNames(
  on: Queryable,
  applicationName: string,
  known: readonly string[],
): Promise<string[]> {
  const rows = await on.db
    .selectFrom("workflow_status as w")
    .select("queue_name")
    .distinct()
    .where("status", "=", statusLiteral("ENQUEUED"))
    .where((eb) => eb.or([eb("application_name", "=", applicationName), eb("application_name", "is", null)]))
    .where((eb) => eb("queue_name", "<>", eb.fn<string>("all", [textArray(known)])))
    .where((eb) =>
      eb.not(
        eb.exists(eb.selectFrom("queues as q").select(sql.lit(1).as("one")).whereRef("q.name", "=", "w.queue_name")),
      ),
    )
    .$narrowType<{ queue_name: string }>()
    .execute();
  return rows.map((r) => r.queue_name);
}
