// The public view of a workflow's row, as handles, listings and tools report it.
import type { WorkflowRecord, WorkflowStatusName } from "@durably/sysdb/queries";
import { decodeError, decodeValue, decodeWorkflowInput, type SerializationFormat } from "./serialization/index.js";

export type { WorkflowStatusName };

export interface WorkflowStatus {
  readonly workflowID: string;
  readonly status: WorkflowStatusName;
  readonly name: string | null;
  readonly queueName: string | null;
  readonly executorID: string | null;
  readonly applicationVersion: string | null;
  readonly applicationName: string | null;
  /** Times the workflow was started or recovered (DBOS's recovery_attempts). */
  readonly attempts: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly startedAt: Date | undefined;
  readonly completedAt: Date | undefined;
  readonly timeoutMs: number | undefined;
  readonly deadline: Date | undefined;
  readonly parentWorkflowID: string | undefined;
  readonly forkedFrom: string | undefined;
  readonly serialization: string | null;
  /** Decoded values, present when the call loaded them. */
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: unknown;
}

/** Maps a record to the public status, decoding payloads that were loaded. */
export function toWorkflowStatus(record: WorkflowRecord, defaultFormat: SerializationFormat): WorkflowStatus {
  const date = (ms: number | null) => (ms === null ? undefined : new Date(ms));
  const status: Record<string, unknown> = {
    workflowID: record.workflowID,
    status: record.status,
    name: record.name,
    queueName: record.queueName,
    executorID: record.executorID,
    applicationVersion: record.applicationVersion,
    applicationName: record.applicationName,
    attempts: record.recoveryAttempts,
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
    startedAt: date(record.startedAt),
    completedAt: date(record.completedAt),
    timeoutMs: record.timeoutMs ?? undefined,
    deadline: date(record.deadlineEpochMs),
    parentWorkflowID: record.parentWorkflowID ?? undefined,
    forkedFrom: record.forkedFrom ?? undefined,
    serialization: record.serialization,
  };
  const where = `workflow ${record.workflowID}`;
  if (record.inputs !== undefined && record.inputs !== null) {
    status.input = decodeWorkflowInput(
      record.inputs,
      record.serialization,
      defaultFormat,
      `input of ${where}`,
      record.scheduleName !== null,
    );
  }
  if (record.output !== undefined && record.output !== null) {
    status.output = decodeValue(record.output, record.serialization, defaultFormat, `output of ${where}`);
  }
  if (record.error !== undefined && record.error !== null) {
    status.error = decodeError(record.error, record.serialization, defaultFormat, `error of ${where}`);
  }
  return Object.freeze(status) as unknown as WorkflowStatus;
}
