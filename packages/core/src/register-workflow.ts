// registerWorkflow: make an async function a durable workflow of this context.
import { checkOptions, DurablyError } from "@durably/sysdb";
import { checkContext } from "./check-context.js";
import type { DBOSContext } from "./dbos-context.js";
import type { Workflow, WorkflowFunction } from "./workflow.js";

export interface RegisterWorkflowOptions {
  /** Name stored in the database; recovery finds the code by it. Default: the function's name. */
  readonly name?: string;
  /**
   * Recoveries after which the workflow is dead-lettered (MAX_RECOVERY_ATTEMPTS_EXCEEDED). Default 100; 0 or less means
   * unlimited.
   */
  readonly maxRecoveryAttempts?: number;
}

/**
 * Registers `fn` as a workflow of this context. Call it before launch.
 *
 * @example
 * async function checkout(ctx: DBOSContext, orderId: string) { ... }
 * const checkoutWorkflow = registerWorkflow(dbos, checkout);
 */
export function registerWorkflow<Input, Output>(
  ctx: DBOSContext,
  fn: WorkflowFunction<Input, Output>,
  options: RegisterWorkflowOptions = {},
): Workflow<Input, Output> {
  checkContext("registerWorkflow", ctx);
  checkOptions("registerWorkflow", options, {
    name: { type: "string", nonEmpty: true },
    maxRecoveryAttempts: { type: "number", integer: true },
  });
  const runtime = ctx.runtime;
  if (typeof fn !== "function")
    throw new DurablyError("REGISTRATION", "registerWorkflow needs an async function (ctx, input) => result.");
  if (runtime.state !== "created") {
    throw new DurablyError(
      "REGISTRATION",
      `Cannot register workflow ${options.name ?? fn.name} after launch: register every workflow before launch(ctx).`,
    );
  }
  const name = options.name ?? fn.name;
  if (typeof name !== "string" || name === "") {
    throw new DurablyError(
      "REGISTRATION",
      "Cannot register an anonymous function: its name is what recovery uses to find it. " +
        'Pass { name: "..." } or use a named function.',
    );
  }
  if (runtime.registry.has(name)) {
    throw new DurablyError(
      "REGISTRATION",
      `A workflow named ${name} is already registered on this context; names must be unique.`,
    );
  }
  const maxRecoveryAttempts = options.maxRecoveryAttempts ?? 100;
  if (!Number.isInteger(maxRecoveryAttempts)) {
    throw new DurablyError(
      "REGISTRATION",
      `maxRecoveryAttempts of workflow ${name} must be an integer, got ${String(maxRecoveryAttempts)}.`,
    );
  }
  const workflow: Workflow<Input, Output> = Object.freeze({
    name,
    maxRecoveryAttempts,
    fn,
    registry: runtime.registryBrand,
  });
  runtime.registry.set(name, workflow);
  return workflow;
}
