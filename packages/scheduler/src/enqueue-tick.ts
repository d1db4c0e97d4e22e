// Enqueueing one tick of a schedule: a workflow whose ID is derived from the schedule and the
// tick, so however many workers fire the same tick, one workflow exists.
import {
  insertWorkflow,
  internalQueueName,
  enqueuedChannel,
  newOwnerToken,
  type ScheduleRecord,
} from "@durably/sysdb/queries";
import type { DBOSContext } from "@durably/core";
import { extensionHost, encodeWorkflowArguments, withDatabaseRetry } from "@durably/core/extension";
import { decodeScheduleContext } from "./schedule-context.js";

/** The workflow ID of a schedule's tick (DBOS's format: `sched-<name>-<ISO time>`). */
export function tickWorkflowID(scheduleName: string, tick: Date): string {
  return `sched-${scheduleName}-${tick.toISOString()}`;
}

/** Enqueues the tick's workflow if it does not exist yet. Returns its workflow ID. */
export async function enqueueTick(
  ctx: DBOSContext,
  schedule: ScheduleRecord,
  tick: Date,
  workflowID = tickWorkflowID(schedule.name, tick),
): Promise<string> {
  const host = extensionHost(ctx);
  const format = host.serializer;
  // DBOS's scheduler stores a tick as two arguments, (scheduledTime, context); a row with a
  // schedule_name decodes back to { scheduledTime, context }. Plain JSON has no date: ISO text.
  const time = format === "portable_json" ? tick.toISOString() : tick;
  const inputs = encodeWorkflowArguments(
    [time, decodeScheduleContext(schedule)],
    format,
    `input of schedule ${schedule.name}`,
  );
  const queueName = schedule.queueName ?? internalQueueName;
  const now = host.now();
  const existing = await withDatabaseRetry(
    "enqueue a scheduled workflow",
    () =>
      insertWorkflow(host.sysdb, {
        workflowID,
        status: "ENQUEUED",
        name: schedule.workflowName,
        queueName,
        executorID: null,
        applicationVersion: host.enqueueVersion,
        applicationName: schedule.applicationName ?? host.applicationScope ?? null,
        applicationID: null,
        timeoutMs: null,
        deadlineEpochMs: null,
        ownerXid: newOwnerToken(), // compared, never parsed, by DBOS: nanoid, see short-id.ts
        parentWorkflowID: null,
        serialization: format,
        inputs,
        priority: 0,
        deduplicationID: null,
        queuePartitionKey: null,
        delayUntilEpochMs: null,
        scheduleName: schedule.name,
        now,
      }),
    { logger: host.logger, signal: host.shutdownSignal },
  );
  if (existing === null) host.notifier.notify(enqueuedChannel, queueName);
  return workflowID;
}
