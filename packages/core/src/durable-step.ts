// What an operation run as a workflow step knows about its step, so add-ons can key their own
// rows by it (idempotency) or write their checkpoint in the same statement as their effect.
import type { SerializationFormat } from "./serialization/index.js";

export interface DurableStep {
  readonly workflowID: string;
  readonly stepID: number;
  /** The run that must still own the workflow for a checkpoint to be written (DBOS's owner_xid). */
  readonly ownerXid: string;
  readonly applicationName: string;
  /** The workflow's storage format. */
  readonly format: SerializationFormat;
  /** Clock reading when the step started, for started_at_epoch_ms. */
  readonly startedAt: number;
}

/** What an atomic operation reports: it wrote its checkpoint, or the fenced write matched nothing. */
export type AtomicOutcome<T> = { readonly recorded: true; readonly value: T } | { readonly recorded: false };
