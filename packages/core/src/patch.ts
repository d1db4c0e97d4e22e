// Patching: changing a workflow's code while runs of the old code are in flight, by branching on
// a marker recorded (like a step) the first time a run passes the patch point under the new code.
import { DurablyError } from "@durably/sysdb";
import type { DBOSContext } from "./dbos-context.js";
import { enterStep } from "./run-durable-operation.js";
import { resolveRefusedStep } from "./step-checkpoint.js";
import type { WorkflowRun } from "./workflow-run.js";

/** Longest accepted patch ID: it is stored in operation_outputs.function_name after a prefix. */
export const maxPatchIDLength = 200;

/**
 * The step name a patch marker is recorded under: DBOS's own ("DBOS.patch-<id>", the same in its
 * TypeScript, Python and Go SDKs), so a DBOS worker replaying the same history branches alike.
 */
export function patchMarkerName(patchID: string): string {
  return `DBOS.patch-${patchID}`;
}

/**
 * Whether this run takes the new (patched) code path at this point of the workflow.
 *
 * - A run reaching this point for the first time under code that has the patch gets `true`; a
 *   marker step `DBOS.patch-<id>` is recorded at the current step ID (one step ID is used), so its
 *   replays also get `true` and its later steps keep their IDs.
 * - A replay of a run that was already past this point under the old code (another step was
 *   recorded at this ID, or later steps were recorded without a marker here) gets `false`; no
 *   step ID is used, so the old path replays its recorded steps at their IDs.
 *
 * Keep the old path in the `false` branch until no run that predates the patch remains; then
 * replace the call with {@link deprecatePatch}. Throws INVALID_ARGUMENT outside a workflow (or
 * for a bad ID), NESTED_DURABLE_OPERATION inside a step.
 *
 * @example
 * if (await patched(ctx, "fraud-check")) {
 *   await runAsStep(ctx, () => fraud.check(order), { name: "fraudCheck" }); // new step
 * }
 * await runAsStep(ctx, () => payments.charge(order), { name: "charge" });
 */
export async function patched(ctx: DBOSContext, patchID: string): Promise<boolean> {
  const run = patchRun(ctx, "patched", patchID);
  const name = patchMarkerName(patchID);
  const stepID = run.currentStepID;
  const recorded = run.checkpoints.get(stepID);
  if (recorded !== undefined) {
    if (recorded.name !== name) return false;
    run.nextStepID();
    return true;
  }
  // DBOS looks at this step ID only. A later step recorded without a marker here also proves an
  // old run (a concurrent step at this ID that never finished), so it gets the old path too.
  if (hasCheckpointAfter(run, stepID)) return false;
  run.nextStepID();
  run.throwIfStopped();
  const runtime = ctx.runtime;
  const now = runtime.now();
  // Output and error are null, as DBOS writes them; the marker's name is its whole content.
  const written = await runtime.groupCommit.writeCheckpoint({
    workflowID: run.workflowID,
    stepID,
    name,
    output: null,
    error: null,
    childWorkflowID: null,
    serialization: run.format,
    startedAt: now,
    completedAt: now,
    ownerXid: run.ownerXid,
    applicationName: runtime.config.appName,
  });
  // Refused: our own earlier write whose reply was lost (same marker), or the run was stopped.
  if (!written) await resolveRefusedStep(run, runtime, stepID, name);
  return true;
}

/**
 * Retires a patch once no run that predates it remains (none will replay the old path): replace
 * `if (await patched(ctx, id)) { new } else { old }` with `await deprecatePatch(ctx, id); new`.
 *
 * What it does on replay keeps every run's step IDs aligned:
 * - a run that recorded the patch marker at this step ID (it passed `patched` under the previous
 *   code): the marker's step ID is skipped, exactly as `patched` used it;
 * - any other run (new runs, runs that had not reached this point): nothing is recorded and no step
 *   ID is used, so new runs have no marker at all.
 * A run that predates the patch (another step recorded here) would now take the new path and stop
 * with UNEXPECTED_STEP, left PENDING: that is why the old runs must be gone first. Remove the
 * `deprecatePatch` call itself only when no run that recorded the marker remains either.
 *
 * @example
 * await deprecatePatch(ctx, "fraud-check");
 * await runAsStep(ctx, () => fraud.check(order), { name: "fraudCheck" });
 */
export async function deprecatePatch(ctx: DBOSContext, patchID: string): Promise<void> {
  const run = patchRun(ctx, "deprecatePatch", patchID);
  const recorded = run.checkpoints.get(run.currentStepID);
  if (recorded?.name === patchMarkerName(patchID)) run.nextStepID();
  run.throwIfStopped();
}

/** Validates the call and returns the workflow run it belongs to. */
function patchRun(ctx: DBOSContext, api: string, patchID: string): WorkflowRun {
  if (typeof patchID !== "string" || patchID.length === 0 || patchID.length > maxPatchIDLength) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `${api}: patchID must be a non-empty string of at most ${maxPatchIDLength} characters ` +
        `(got ${describe(patchID)}).`,
    );
  }
  const run = enterStep(ctx, `${api}(${JSON.stringify(patchID)})`);
  if (run === undefined) {
    throw new DurablyError("INVALID_ARGUMENT", `${api} must be called inside a workflow, with the workflow's context.`);
  }
  return run;
}

function hasCheckpointAfter(run: WorkflowRun, stepID: number): boolean {
  for (const id of run.checkpoints.keys()) if (id > stepID) return true;
  return false;
}

function describe(value: unknown): string {
  if (typeof value !== "string") return typeof value;
  return value.length === 0 ? "an empty string" : `${value.length} characters`;
}
