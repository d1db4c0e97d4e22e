// getWorkflowSteps: the checkpoints of one workflow, decoded, in step order.
import { checkOptions } from "@durably/sysdb";
import { listCheckpoints } from "@durably/sysdb/queries";
import type { DBOSContext } from "../dbos-context.js";
import { decodeError, decodeValue } from "../serialization/index.js";
import { checkWorkflowArguments } from "./management-arguments.js";

export interface StepInfo {
  readonly stepID: number;
  readonly name: string;
  readonly output: unknown;
  readonly error: unknown;
  /** True when the step recorded an error: known even with `loadPayloads: false`, which leaves `error` undefined. */
  readonly failed: boolean;
  readonly childWorkflowID: string | undefined;
  readonly startedAt: Date | undefined;
  readonly completedAt: Date | undefined;
}

export interface GetWorkflowStepsOptions {
  /**
   * Read and decode each step's output and error. Default true (as DBOS's listWorkflowSteps); false leaves them
   * undefined and reads no payload, for a workflow whose steps returned large values.
   */
  readonly loadPayloads?: boolean;
}

/**
 * Lists a workflow's recorded steps.
 *
 * @example
 * for (const step of await getWorkflowSteps(dbos, "order-42")) console.log(step.stepID, step.name, step.output);
 * const names = (await getWorkflowSteps(dbos, "order-42", { loadPayloads: false })).map((s) => s.name);
 */
export async function getWorkflowSteps(
  ctx: DBOSContext,
  workflowID: string,
  options: GetWorkflowStepsOptions = {},
): Promise<StepInfo[]> {
  checkWorkflowArguments("getWorkflowSteps", ctx, workflowID);
  checkOptions("getWorkflowSteps", options, { loadPayloads: { type: "boolean" } });
  const runtime = ctx.runtime;
  runtime.assertRunning("read workflow steps");
  const checkpoints = await listCheckpoints(runtime.sysdb, workflowID, { payloads: options.loadPayloads ?? true });
  const format = runtime.config.serializer;
  return checkpoints.map((c) => ({
    stepID: c.stepID,
    name: c.name,
    output: c.output === null ? undefined : decodeValue(c.output, c.serialization, format, `output of step ${c.name}`),
    error: c.error === null ? undefined : decodeError(c.error, c.serialization, format, `error of step ${c.name}`),
    failed: c.failed,
    childWorkflowID: c.childWorkflowID ?? undefined,
    startedAt: c.startedAt === null ? undefined : new Date(c.startedAt),
    completedAt: c.completedAt === null ? undefined : new Date(c.completedAt),
  }));
}
