// @durably/core: durable workflows over the DBOS-compatible system database.
//
// Its job: register workflows on an explicit DBOSContext, run them with every step checkpointed,
// recover them after crashes, and manage them (list, cancel, resume, fork). It may import
// @durably/sysdb (the only way it touches Postgres) and superjson. It knows no add-on package:
// queues, notifications and the scheduler plug in through @durably/core/extension (the
// ExtensionHost, registerExtension, runDurableOperation), the only way into a context's runtime.
export { createDBOSContext } from "./create-dbos-context.js";
export type { DBOSConfig } from "./config.js";
export { DBOSContext } from "./dbos-context.js";
export { launch } from "./launch.js";
export { shutdown, type ShutdownOptions } from "./shutdown.js";
export { registerWorkflow, type RegisterWorkflowOptions } from "./register-workflow.js";
export type { Workflow, WorkflowFunction } from "./workflow.js";
export { runWorkflow, type RunWorkflowOptions } from "./run-workflow.js";
export type { DebounceOptions } from "./enqueue-debounced.js";
export { enqueueWorkflow, type EnqueueOptions, type InputOf, type OutputOf } from "./enqueue-workflow.js";
export {
  enqueueMany,
  maxEnqueueManyItems,
  type EnqueueManyItem,
  type EnqueueManyResult,
} from "./enqueue-many.js";
export { createClient, type ClientConfig } from "./create-client.js";
export type { WorkflowHandle, GetResultOptions } from "./workflow-handle.js";
export { runAsStep, type StepOptions } from "./run-as-step.js";
export type { StepRetryOptions } from "./step-retry-policy.js";
export { sleep } from "./sleep.js";
export { deprecatePatch, patched } from "./patch.js";
export { getWorkflowID, getStepID } from "./workflow-info.js";
export { listWorkflows, type ListWorkflowsOptions } from "./management/list-workflows.js";
export { getWorkflowSteps, type GetWorkflowStepsOptions, type StepInfo } from "./management/get-workflow-steps.js";
export { retrieveWorkflow } from "./management/retrieve-workflow.js";
export { cancelWorkflow } from "./management/cancel-workflow.js";
export { resumeWorkflow } from "./management/resume-workflow.js";
export { cancelWorkflows, resumeWorkflows, type WorkflowChange } from "./management/change-workflows.js";
export { forkWorkflow, type ForkWorkflowOptions } from "./management/fork-workflow.js";
export {
  listExecutors,
  type ListExecutorsOptions,
  type ExecutorInfo,
  type ExecutorState,
} from "./management/list-executors.js";
export { recoverPendingWorkflows } from "./management/recover-pending-workflows.js";
export {
  listApplicationVersions,
  type ApplicationVersionInfo,
  type ListApplicationVersionsOptions,
} from "./management/list-application-versions.js";
export {
  upgradeWorkflows,
  type UpgradeWorkflowsOptions,
  type UpgradeWorkflowsResult,
} from "./management/upgrade-workflows.js";
export { garbageCollectWorkflows, type GarbageCollectOptions } from "./management/garbage-collect-workflows.js";
export {
  collectGarbagePeriodically,
  type PeriodicGarbageCollectOptions,
} from "./management/collect-garbage-periodically.js";
export type { WorkflowStatus, WorkflowStatusName } from "./workflow-status.js";
export { registerExtension, type DurablyExtension } from "./extension.js";
export { runDurableOperation, runAtomicOperation, type DurableOperationOptions } from "./run-durable-operation.js";
export { runDurableWait, type DurableWait } from "./run-durable-wait.js";
export type { DurableStep, AtomicOutcome } from "./durable-step.js";
export { createConsoleLogger, type Logger, type LogLevel, type LogFields } from "./logger.js";
export type { Clock } from "./clock.js";
export type { SerializationFormat } from "./serialization/index.js";
export { DurablyError, isDurablyError, durablyErrorCodes, type DurablyErrorCode } from "@durably/sysdb";
export { checkDatabaseUrl } from "@durably/sysdb";
// For @durably/testing's useTestDatabase: a template database that already holds durably's schema.
export { migratedTemplate } from "@durably/sysdb";
