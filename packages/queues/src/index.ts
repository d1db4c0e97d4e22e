// @durably/queues: durable queues with flow control for durably.
//
// Its job: define queues (dbos.queues), and serve them: claim ENQUEUED workflows within
// worker concurrency, global concurrency and rate limits (the last two counted in the database by
// its clock), by priority and per partition, promote delayed ones, and wake on NOTIFY with
// polling as the fallback. It may import @durably/core (public API and ./internal) and
// @durably/sysdb (queries); it speaks no SQL itself. Enqueueing is core's runWorkflow with { queue }.
export { registerQueue, type Queue } from "./register-queue.js";
export type { QueueOptions } from "./queue-options.js";
export { listenQueues } from "./listen-queues.js";
export { listQueues, retrieveQueue, deleteQueue, type QueueInfo } from "./queue-info.js";
export { pauseQueue, resumeQueue, type PauseQueueOptions } from "./pause-queue.js";
