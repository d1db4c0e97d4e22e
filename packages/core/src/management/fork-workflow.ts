// forkWorkflow: a new workflow that keeps the original's first steps and re-runs from a chosen one.
import { randomUUID } from "node:crypto";
import { checkOptions, DurablyError, maxInt4 } from "@durably/sysdb";
import { forkWorkflow as forkWorkflowRow } from "@durably/sysdb/queries";
import type { DBOSContext } from "../dbos-context.js";
import { runDurableOperation } from "../run-durable-operation.js";
import { createWorkflowHandle, type WorkflowHandle } from "../workflow-handle.js";
import { nonexistent } from "./retrieve-workflow.js";
import { checkWorkflowArguments } from "./management-arguments.js";

export interface ForkWorkflowOptions {
  /** Steps before this ID are copied and replayed; this step and later ones run again. */
  readonly startStep: number;
  /** ID of the new workflow. Default: a random UUID. */
  readonly newWorkflowID?: string;
  /** Version to run the fork under (e.g. the one with a fix). Default: the original's. */
  readonly applicationVersion?: string;
  /** Queue to put the fork on (its flow control applies). Default: the internal queue. */
  readonly queue?: string | { readonly name: string };
  /** With a partitioned queue (required there): the partition whose limits apply. */
  readonly partitionKey?: string;
}

/**
 * Forks a workflow: the new one is enqueued at once, replays steps `0..startStep-1` from the
 * original's checkpoints, and executes from `startStep` on.
 *
 * @example
 * const retry = await forkWorkflow(dbos, "order-42", { startStep: 2, applicationVersion: "v2-fixed" });
 */
export async function forkWorkflow<Output = unknown>(
  ctx: DBOSContext,
  workflowID: string,
  options: ForkWorkflowOptions,
): Promise<WorkflowHandle<Output>> {
  checkWorkflowArguments("forkWorkflow", ctx, workflowID);
  const runtime = ctx.runtime;
  runtime.assertRunning("fork a workflow");
  checkOptions("forkWorkflow", options, {
    startStep: { type: "number", required: true, integer: true, min: 0, max: maxInt4 },
    newWorkflowID: { type: "string", nonEmpty: true },
    applicationVersion: { type: "string", nonEmpty: true },
    queue: { type: "name-or-named" },
    partitionKey: { type: "string", nonEmpty: true },
  });
  if (options.partitionKey !== undefined && options.queue === undefined) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "forkWorkflow: partitionKey only applies with a partitioned queue: pass { queue } too.",
    );
  }
  const startStep = options.startStep;
  const forkedID = await runDurableOperation(ctx, "DBOS.forkWorkflow", async () => {
    // A workflow ID: a UUID, as DBOS's own forks make it.
    const id = options.newWorkflowID ?? randomUUID();
    const forked = await forkWorkflowRow(runtime.sysdb, {
      originalID: workflowID,
      forkedID: id,
      startStep,
      applicationVersion: options.applicationVersion ?? null,
      queueName:
        options.queue === undefined
          ? undefined
          : typeof options.queue === "string"
            ? options.queue
            : options.queue.name,
      partitionKey: options.partitionKey ?? null,
      now: runtime.now(),
    });
    if (!forked) throw nonexistent(workflowID);
    return id;
  });
  return createWorkflowHandle<Output>(ctx, forkedID);
}
