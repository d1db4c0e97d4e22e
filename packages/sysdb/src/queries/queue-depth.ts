// How many workflows wait on or run from each queue, by status: the queue-depth gauge of @durably/otel.
import type { Queryable } from "../queryable.js";
import type { WorkflowStatusName } from "./workflow-status-name.js";

export interface QueueDepth {
  readonly queueName: string;
  readonly status: WorkflowStatusName;
  readonly count: number;
}

/** Counts of ENQUEUED, DELAYED and PENDING workflows per queue (of one application, or all). */
export async function countQueuedWorkflows(on: Queryable, applicationName?: string): Promise<QueueDepth[]> {
  let query = on.db
    .selectFrom("workflow_status")
    .select((eb) => ["queue_name", "status", eb.fn.countAll<string>().as("count")])
    .where("queue_name", "is not", null)
    .where("status", "in", ["ENQUEUED", "DELAYED", "PENDING"])
    .groupBy(["queue_name", "status"]);
  if (applicationName !== undefined)
    query = query.where((eb) =>
      eb.or([eb("application_name", "=", applicationName), eb("application_name", "is", null)]),
    );
  const rows = await query.execute();
  return rows.map((r) => ({
    queueName: r.queue_name!,
    status: r.status as WorkflowStatusName,
    count: Number(r.count),
  }));
}
