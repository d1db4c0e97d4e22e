// @durably/sysdb/queries: the typed statements of the system database, one file per table or
// concern, for durably's own packages only (core and its add-ons); applications use core's API.
// Their shapes may change in any release.
export * from "./queries/workflow-record.js";
export * from "./queries/workflow-status.js";
export * from "./queries/operation-outputs.js";
export * from "./queries/group-commit.js";
export * from "./queries/executor-identity.js";
export * from "./queries/claim-with-token.js";
export * from "./queries/claim-workflows.js";
export * from "./queries/executor-leases.js";
export * from "./queries/stranded-workflows.js";
export * from "./queries/cancel-workflows.js";
export * from "./queries/resume-workflows.js";
export type { WorkflowChangeRecord } from "./queries/workflow-change-record.js";
export * from "./queries/fork-workflow.js";
export * from "./queries/list-workflows.js";
export * from "./queries/application-versions.js";
export * from "./queries/version-overview.js";
export * from "./queries/upgrade-workflow-version.js";
export * from "./queries/notify.js";
export * from "./queries/queues.js";
export * from "./queries/database-now.js";
export * from "./queries/dequeue-workflows.js";
export * from "./queries/claim-queued-workflows.js";
export * from "./queries/enqueued-work.js";
export * from "./queries/promote-delayed-workflows.js";
export * from "./queries/bounce-debounced-workflow.js";
export * from "./queries/queue-pauses.js";
export * from "./queries/step-fence.js";
export * from "./queries/notifications.js";
export * from "./queries/workflow-events.js";
export * from "./queries/streams.js";
export * from "./queries/workflow-schedules.js";
export * from "./queries/delete-workflows.js";
export * from "./queries/channels.js";
export { newLeaseID, newOwnerToken } from "./short-id.js";
