// The settings each library runs with, in one place the parent can read without loading either
// library (the report states them).

/** Pool size of the durably context in every scenario (durably's default). */
export const durablyPoolSize = 10;

/** How often DBOS's retrieved handles poll for a result in the recovery scenario (its default is 1 s). */
export const dbosResultPollingMs = 10;

/**
 * DBOS's queue polling interval in the queue scenario. Its default is 1 s, which caps a queue at
 * workerConcurrency starts per second; 100 ms is what a user draining bursts would set (and what
 * our earlier DBOS notes measured with). durably wakes on NOTIFY; its poll (1 s) is a fallback.
 */
export const dbosQueuePollingMs = 100;
