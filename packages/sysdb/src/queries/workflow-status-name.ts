// The status strings of workflow_status, shared with DBOS: a closed set.
import { sql, type RawBuilder } from "kysely";

/** Status strings shared with DBOS. */
export type WorkflowStatusName =
  | "PENDING"
  | "ENQUEUED"
  | "DELAYED"
  | "SUCCESS"
  | "ERROR"
  | "CANCELLED"
  | "MAX_RECOVERY_ATTEMPTS_EXCEEDED";

/** Every status, in the order a workflow usually passes through them. */
export const workflowStatusNames: readonly WorkflowStatusName[] = [
  "PENDING",
  "ENQUEUED",
  "DELAYED",
  "SUCCESS",
  "ERROR",
  "CANCELLED",
  "MAX_RECOVERY_ATTEMPTS_EXCEEDED",
];

/**
 * A status as a SQL literal, not a parameter: a condition on a literal status lets the planner use
 * the partial indexes on status (a parameter would not match their predicates in a generic plan).
 */
export function statusLiteral<S extends WorkflowStatusName>(status: S): RawBuilder<S> {
  return sql.lit(status);
}

/**
 * Statuses a caller filters on, as literals ({@link statusLiteral}); a status outside the closed set
 * (a caller without type checks) is refused before it could reach the SQL text.
 */
export function knownStatusLiterals(statuses: readonly WorkflowStatusName[]): RawBuilder<WorkflowStatusName>[] {
  return statuses.map((status) => {
    if (!workflowStatusNames.includes(status)) throw new TypeError(`unknown workflow status ${String(status)}`);
    return statusLiteral(status);
  });
}
