// The positional arguments of the management functions: the context, and the workflow IDs they act
// on. JavaScript callers get no type check, and an ID passed as a number or an object would
// otherwise reach Postgres (a raw error) or quietly match no workflow.
import { checkArgument, DurablyError, type OptionRule } from "@durably/sysdb";
import { DBOSContext } from "../dbos-context.js";

const workflowIDRule: OptionRule = { type: "string", nonEmpty: true };
const workflowIDsRule: OptionRule = { type: "array", items: workflowIDRule };

/** INVALID_ARGUMENT unless `ctx` is a DBOSContext (a worker's or a client's). */
export function checkContext(where: string, ctx: unknown): asserts ctx is DBOSContext {
  if (!(ctx instanceof DBOSContext))
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `${where}'s first argument must be a DBOSContext (from createDBOSContext or createClient).`,
    );
}

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
