// The chaos suite's invariants (check-invariants.ts) applied to a fleet test's workflows: every one
// finished, its outcome is the chain of its checkpoints, and no step began after its checkpoint
// committed (I4, against the commit stamps of installCommitStamps).
import type { Sql } from "postgres";
import { checkInvariants, type InvariantResult } from "../../chaos/support/check-invariants.js";
import type { ChaosInput } from "../../chaos/support/result-chain.js";
import { readRunHistory, type RunHistory } from "../../chaos/support/run-history.js";

export interface FleetRunCheck {
  readonly history: RunHistory;
  /** The invariants that did not hold, with samples; empty when all held. */
  readonly broken: InvariantResult[];
  readonly stepExecutions: number;
  readonly duplicateExecutions: number;
}

/** Checks the workflows in `expected` (every workflow in the database must be one of them). */
export async function checkFleetRun(
  sql: Sql,
  effectsDir: string,
  expected: ReadonlyMap<string, ChaosInput>,
): Promise<FleetRunCheck> {
  const history = await readRunHistory(sql, "dbos", effectsDir, "stamped");
  const { invariants, duplicates } = checkInvariants({ history, expected, handleResults: new Map(), handleErrors: [] });
  return {
    history,
    broken: invariants.filter((i) => !i.held),
    stepExecutions: duplicates.stepExecutions,
    duplicateExecutions: duplicates.duplicateExecutions,
  };
}

/** The workflow input of the fleet tests: three steps of 5-20 ms around a durable sleep. */
export function sleeperInput(sleepMs: number): ChaosInput {
  return { steps: 3, stepMs: [5, 20], parallel: false, sleepMs, echo: false };
}

/**
 * The input of a gated workflow (the worker's gatedWorkflow): step 0, then a wait in recv until the
 * test sends step 0's output back (openGates), then two more steps.
 */
export function gatedInput(): ChaosInput {
  return { steps: 3, stepMs: [5, 20], parallel: false, sleepMs: 0, echo: true };
}
