// The attribute names durably's spans and metrics carry: DBOS's (so dashboards built for DBOS keep
// working), OpenTelemetry's messaging conventions for queues, and durably's own. Never a payload.

/** DBOS's names, as its SDKs set them on workflow and step spans. */
export const dbos = {
  workflowID: "dbos.operation.workflow_id",
  operationType: "dbos.operation.type",
  operationName: "dbos.operation.name",
  applicationVersion: "dbos.application.version",
  executorID: "dbos.executor.id",
  queueName: "dbos.queue.name",
} as const;

/** OpenTelemetry's messaging semantic conventions, for enqueue (PRODUCER) and the queued run (CONSUMER). */
export const messaging = {
  system: "messaging.system",
  operationType: "messaging.operation.type",
  operationName: "messaging.operation.name",
  destinationName: "messaging.destination.name",
  messageID: "messaging.message.id",
} as const;

/** durably's own. */
export const durably = {
  workflowName: "durably.workflow.name",
  stepID: "durably.step.id",
  stepName: "durably.step.name",
  stepAttempts: "durably.step.attempts",
  retryAttempt: "durably.retry.attempt",
  retryDelayMs: "durably.retry.delay_ms",
  runOrigin: "durably.run.origin",
  replayedSteps: "durably.run.replayed_steps",
  status: "durably.workflow.status",
  stopReason: "durably.run.stop_reason",
  queueStatus: "durably.queue.status",
  destinationID: "durably.message.destination_id",
  workerID: "durably.worker.id",
  slotState: "durably.slot.state",
} as const;
