// getWorkflowID and getStepID: where the current code runs, for logging and idempotency keys.
import { DurablyError } from "@durably/sysdb";
import type { DBOSContext } from "./dbos-context.js";

/**
 * The ID of the workflow this context belongs to (inside a step too).
 *
 * @example
 * await runAsStep(ctx, () => payments.charge(order, { idempotencyKey: getWorkflowID(ctx) }));
 */
export function getWorkflowID(ctx: DBOSContext): string {
  if (ctx.run === undefined)
    throw new DurablyError("INVALID_ARGUMENT", "getWorkflowID must be called with a workflow's context.");
  return ctx.run.workflowID;
}

/** The ID the workflow's next step will get (steps are numbered from 0 in call order). */
export function getStepID(ctx: DBOSContext): number {
  if (ctx.run === undefined)
    throw new DurablyError("INVALID_ARGUMENT", "getStepID must be called with a workflow's context.");
  return ctx.run.currentStepID;
}
