// Scenario 5's client side: each library's own client, connected from a process that runs no
// workflows, enqueueing `queuedThreeSteps` by name on the bench queue and awaiting its result.
import { benchApplicationVersion, benchQueueName, type LibraryName } from "./library.js";
import { dbosResultPollingMs } from "./library-settings.js";

export interface BenchClient {
  /** Enqueues `queuedThreeSteps(input)` by name; resolves to a function awaiting its result. */
  enqueue(input: number): Promise<() => Promise<unknown>>;
  /** Enqueues `queuedThreeSteps(input)` for each input, as one batch where the library has one. */
  enqueueBatch(inputs: readonly number[]): Promise<void>;
  close(): Promise<void>;
}

/** Loads only the measured library's client. */
export async function openBenchClient(name: LibraryName, url: string): Promise<BenchClient> {
  if (name === "durably") {
    const { createClient, createConsoleLogger, enqueueMany, enqueueWorkflow, shutdown } = await import("@durably/core");
    const client = await createClient({
      systemDatabaseUrl: url,
      appName: "bench",
      applicationVersion: benchApplicationVersion,
      logger: createConsoleLogger("error"),
    });
    return {
      async enqueue(input) {
        const handle = await enqueueWorkflow(client, "queuedThreeSteps", input, { queue: benchQueueName });
        // durably's handle polls the row, with backoff from 10 ms.
        return () => handle.getResult();
      },
      async enqueueBatch(inputs) {
        const items = inputs.map((input) => ({
          workflow: "queuedThreeSteps",
          input,
          options: { queue: benchQueueName },
        }));
        const failed = (await enqueueMany(client, items)).find((r) => !r.ok);
        if (failed !== undefined && !failed.ok) throw failed.error;
      },
      close: () => shutdown(client),
    };
  }
  const { DBOSClient } = await import("@dbos-inc/dbos-sdk");
  const client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: "bench" });
  return {
    async enqueue(input) {
      const handle = await client.enqueue<(x: number) => Promise<number>>(
        { queueName: benchQueueName, workflowName: "queuedThreeSteps", appVersion: benchApplicationVersion },
        input,
      );
      // DBOS's client handle polls the database; at its default (1 s) the poll would dominate.
      return () => handle.getResult({ pollingIntervalMs: dbosResultPollingMs });
    },
    async enqueueBatch(inputs) {
      // DBOS 5.3.0 has no batch enqueue: the batch's items go concurrently.
      const options = {
        queueName: benchQueueName,
        workflowName: "queuedThreeSteps",
        appVersion: benchApplicationVersion,
      };
      await Promise.all(inputs.map((input) => client.enqueue<(x: number) => Promise<number>>(options, input)));
    },
    close: () => client.destroy(),
  };
}
