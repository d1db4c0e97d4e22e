// @durably/core/internal: the side door for sibling packages (queues, notifications, scheduler,
// cli). Not for applications: these names may change in any release.
export { Runtime } from "./runtime.js";
export { executeWorkflow } from "./execute-workflow.js";
export { resumeClaimedWorkflows } from "./resume-claimed-workflow.js";
export { withDatabaseRetry } from "./database-retry.js";
export { createWorkflowHandle } from "./workflow-handle.js";
export { abortableDelay, delayUnlessAborted } from "./abortable-delay.js";
export { BackgroundLoop, type BackgroundLoopOptions, type NextWait } from "./background-loop.js";
export { assertNotInsideStep, nestedOperationError } from "./step-scope.js";
export * from "./serialization/index.js";
export { DBOSContext } from "./dbos-context.js";
export type { ActiveRun } from "./runtime.js";
