// The status strings of workflow_status, shared with DBOS: a closed set.

/** Status strings shared with DBOS. */
export type WorkflowStatusName =
  | "PENDING"
  | "ENQUEUED"
  | "DELAYED"
  | "SUCCESS"
  | "ERROR"
  | "CANCELLED"
  | "MAX_RECOVERY_ATTEMPTS_EXCEEDED";
