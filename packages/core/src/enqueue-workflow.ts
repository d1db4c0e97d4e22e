// enqueueWorkflow: put a workflow on a queue by value or by name, from a worker or a client, with
// input and result types taken from the workflow's type when it is given.
import { checkOptions, DurablyError } from "@durably/sysdb";
import type { DBOSContext } from "./dbos-context.js";
import { runWorkflow, runWorkflowRules, type RunWorkflowOptions } from "./run-workflow.js";
import { assertNotInsideStep } from "./step-scope.js";
import type { AnyWorkflow, Workflow } from "./workflow.js";
import type { WorkflowHandle } from "./workflow-handle.js";

export type InputOf<W> = W extends Workflow<infer Input, unknown> ? Input : unknown;
// biome-ignore lint/suspicious/noExplicitAny: Workflow is invariant in Input; unknown would not match.
export type OutputOf<W> = W extends Workflow<any, infer Output> ? Output : unknown;

export interface EnqueueOptions extends RunWorkflowOptions {
  readonly queue: string | { readonly name: string };
}

/**
 * Enqueues a workflow for a worker to run. From a client, name the workflow and take its types
 * from its definition without importing its code:
 *
 * @example
 * import type { checkoutWorkflow } from "./worker.js";
 * const handle = await enqueueWorkflow<typeof checkoutWorkflow>(client, "checkout", "order-42", { queue: "orders" });
 * const result = await handle.getResult(); // typed as checkout's result
 */
export async function enqueueWorkflow<W extends AnyWorkflow = Workflow<unknown, unknown>>(
  ctx: DBOSContext,
  workflow: W | string,
  input: InputOf<W>,
  options: EnqueueOptions,
): Promise<WorkflowHandle<OutputOf<W>>> {
  if (options?.queue === undefined)
    throw new DurablyError("INVALID_ARGUMENT", "enqueueWorkflow needs { queue }: the queue a worker serves.");
  checkOptions("enqueueWorkflow", options, runWorkflowRules);
  const name = typeof workflow === "string" ? workflow : workflow?.name;
  if (typeof name !== "string" || name === "")
    throw new DurablyError("INVALID_ARGUMENT", "enqueueWorkflow needs a workflow or a workflow name.");
  assertNotInsideStep(ctx, `enqueueWorkflow (${name})`);
  const runtime = ctx.runtime;
  // A workflow known by name only: enough to write its row; a worker that registered it runs it.
  const target =
    typeof workflow !== "string" && workflow.registry === runtime.registryBrand
      ? workflow
      : (runtime.registry.get(name) ??
        Object.freeze({ name, maxRecoveryAttempts: 0, fn: notRunnableHere, registry: runtime.registryBrand }));
  return runWorkflow(ctx, target as Workflow<InputOf<W>, OutputOf<W>>, input, options);
}

async function notRunnableHere(): Promise<never> {
  throw new DurablyError(
    "WORKFLOW_NOT_REGISTERED",
    "This workflow was enqueued by name and is not registered in this process.",
  );
}
