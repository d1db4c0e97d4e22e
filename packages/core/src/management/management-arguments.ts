// The positional arguments of the management functions: the context, and the workflow IDs they act
// on. JavaScript callers get no type check, and an ID passed as a number or an object would
// otherwise reach Postgres (a raw error) or quietly match no workflow.
import { checkArgument, type OptionRule } from "@durably/sysdb";
import { checkContext } from "../check-context.js";
import type { DBOSContext } from "../dbos-context.js";

const workflowIDRule: OptionRule = { type: "string", nonEmpty: true };
const workflowIDsRule: OptionRule = { type: "array", items: workflowIDRule };

/** INVALID_ARGUMENT unless `ctx` is a DBOSContext and `workflowID` a non-empty string. */
export function checkWorkflowArguments(where: string, ctx: unknown, workflowID: unknown): asserts ctx is DBOSContext {
  checkContext(where, ctx);
  checkArgument(where, "workflowID", workflowID, workflowIDRule);
}

/** INVALID_ARGUMENT unless `ctx` is a DBOSContext and `workflowIDs` an array of non-empty strings. */
export function checkWorkflowListArguments(
  where: string,
  ctx: unknown,
  workflowIDs: unknown,
): asserts ctx is DBOSContext {
  checkContext(where, ctx);
  checkArgument(where, "workflowIDs", workflowIDs, workflowIDsRule);
}
