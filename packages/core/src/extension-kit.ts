// @durably/core/extension: what a package that extends durably needs beyond the public API (it
// is how durably's own queues, notifications, scheduler and datasource are built). The context's
// runtime is reachable only through the ExtensionHost; the helpers below are the ones every
// extension would otherwise write again.
export { extensionHost, type ExtensionHost, type HostNotifier, type HostWorkflow } from "./extension-host.js";
export { registerExtension, type DurablyExtension } from "./extension.js";
export {
  runDurableOperation,
  runAtomicOperation,
  atomicStep,
  type DurableOperationOptions,
} from "./run-durable-operation.js";
export { runDurableWait, type DurableWait } from "./run-durable-wait.js";
export type { DurableStep, AtomicOutcome } from "./durable-step.js";
export { createWorkflowHandle } from "./workflow-handle.js";
export { withCheckedDatabaseRetry as withDatabaseRetry, type DatabaseRetryOptions } from "./database-retry.js";
export { abortableDelay, delayUnlessAborted } from "./abortable-delay.js";
export { BackgroundLoop, type BackgroundLoopOptions, type NextWait } from "./background-loop.js";
export { nestedOperationError } from "./step-scope.js";
export {
  setInstrumentation,
  type Instrumentation,
  type WorkflowStartInfo,
  type WorkflowStartScope,
  type WorkflowRunInfo,
  type WorkflowRunScope,
  type MessageSendInfo,
  type StepInfo,
  type StepScope,
  type RunEnd,
  type RunOrigin,
  type EngineEvent,
  type TraceCarrier,
} from "./instrumentation.js";
export { setWorkerSlotsSource, readWorkerSlots, type QueueSlots, type WorkerSlotsSource } from "./worker-slots.js";
export { encodeValue, decodeValue, decodeError, encodeWorkflowArguments } from "./serialization/index.js";
