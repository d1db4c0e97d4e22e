// Paused queues (durably_queue_pauses): a paused queue is dequeued by no durably worker.
import type { Queryable } from "../queryable.js";

export interface QueuePause {
  readonly queueName: string;
  readonly pausedAt: number;
  readonly reason: string | null;
}

/** Pauses `queueName` (a no-op when it is paused already, keeping the first pause). Returns true if it was not paused. */
export async function insertQueuePause(on: Queryable, queueName: string, reason: string | null): Promise<boolean> {
  const rows = await on.db
    .insertInto("durably_queue_pauses")
    .values({ queue_name: queueName, reason })
    .onConflict((oc) => oc.column("queue_name").doNothing())
    .returning("queue_name")
    .execute();
  return rows.length === 1;
}

/** Resumes `queueName`. Returns true if it was paused. */
export async function deleteQueuePause(on: Queryable, queueName: string): Promise<boolean> {
  const rows = await on.db
    .deleteFrom("durably_queue_pauses")
    .where("queue_name", "=", queueName)
    .returning("queue_name")
    .execute();
  return rows.length === 1;
}

/** Every paused queue, by name. */
export async function listQueuePauses(on: Queryable): Promise<QueuePause[]> {
  const rows = await on.db
    .selectFrom("durably_queue_pauses")
    .select(["queue_name", "paused_at", "reason"])
    .orderBy("queue_name")
    .execute();
  return rows.map((r) => ({ queueName: r.queue_name, pausedAt: Number(r.paused_at), reason: r.reason }));
}
