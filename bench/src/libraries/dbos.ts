// The benchmark's workflows on DBOS TypeScript 5.3.0 (@dbos-inc/dbos-sdk), configured as its docs
// advise: DBOS.setConfig({ name, systemDatabaseUrl }) with defaults (system pool of 10), an
// explicit application version (and executor ID where recovery needs one). DBOS is a process-wide
// singleton: create at most one of these per process.
import { createRequire } from "node:module";
import { DBOS } from "@dbos-inc/dbos-sdk";
import type { StatementCounter } from "../statement-counter.js";
import {
  benchApplicationVersion,
  benchQueueName,
  benchTopic,
  type BenchLibrary,
  type LibraryOptions,
} from "./library.js";
import { dbosQueuePollingMs, dbosResultPollingMs } from "./library-settings.js";

export function createDbosLibrary(options: LibraryOptions): BenchLibrary {
  if (options.counter !== undefined) countPgStatements(options.counter);
  DBOS.setConfig({
    name: "bench",
    systemDatabaseUrl: options.url,
    applicationVersion: benchApplicationVersion,
    logLevel: "error",
    ...(options.executorId === undefined ? {} : { executorID: options.executorId }),
  });
  const beforeStepTwo = options.beforeRecoverableStepTwo ?? (async () => undefined);
  const onLongStep = options.onLongWorkflowStep ?? (() => undefined);

  const threeSteps = DBOS.registerWorkflow(
    async (x: number) => {
      const a = await DBOS.runStep(async () => x + 1, { name: "stepOne" });
      const b = await DBOS.runStep(async () => a + 1, { name: "stepTwo" });
      return DBOS.runStep(async () => b + 1, { name: "stepThree" });
    },
    { name: "threeSteps" },
  );
  const recoverable = DBOS.registerWorkflow(
    async (x: number) => {
      const a = await DBOS.runStep(async () => x + 1, { name: "stepOne" });
      const b = await DBOS.runStep(async () => (await beforeStepTwo(), a + 1), { name: "stepTwo" });
      return DBOS.runStep(async () => b + 1, { name: "stepThree" });
    },
    { name: "recoverable" },
  );
  const longWorkflow = DBOS.registerWorkflow(
    async (steps: number) => {
      for (let i = 0; i < steps; i++) await DBOS.runStep(async () => (onLongStep(i), i), { name: "step" });
      return steps;
    },
    { name: "longWorkflow" },
  );

  const queueOptions = options.queue;
  const queuedThreeSteps = DBOS.registerWorkflow(
    async (x: number) => {
      const a = await DBOS.runStep(async () => (queueOptions?.onStart(x), x + 1), { name: "stepOne" });
      const b = await DBOS.runStep(async () => a + 1, { name: "stepTwo" });
      return DBOS.runStep(async () => (queueOptions?.onDone(x), b + 1), { name: "stepThree" });
    },
    { name: "queuedThreeSteps" },
  );

  const messaging = options.messaging;
  const receiver = DBOS.registerWorkflow(
    async () => {
      messaging?.beforeRecv();
      const message = await DBOS.recv<number>(benchTopic);
      messaging?.afterRecv();
      return message;
    },
    { name: "receiver" },
  );
  const eventSetter = DBOS.registerWorkflow(
    async (x: number) => {
      await messaging?.beforeSetEvent();
      await DBOS.setEvent(benchTopic, x);
    },
    { name: "eventSetter" },
  );

  return {
    name: "dbos",
    async launch() {
      await DBOS.launch();
      // DBOS 5 registers queues after launch (an upsert of the dbos.queues row).
      if (queueOptions !== undefined) {
        await DBOS.registerQueue(benchQueueName, {
          workerConcurrency: queueOptions.workerConcurrency,
          minPollingIntervalMs: dbosQueuePollingMs,
        });
      }
    },
    async runThreeSteps(input) {
      await (await DBOS.startWorkflow(threeSteps)(input)).getResult();
    },
    async startRecoverable(workflowID, input) {
      await DBOS.startWorkflow(recoverable, { workflowID })(input);
    },
    async awaitWorkflow(workflowID) {
      // A retrieved handle polls the database; at DBOS's default (1 s) the poll would dominate.
      await DBOS.retrieveWorkflow(workflowID).getResult({ pollingIntervalMs: dbosResultPollingMs });
    },
    async runLongWorkflow(steps) {
      await (await DBOS.startWorkflow(longWorkflow)(steps)).getResult();
    },
    async enqueue(input) {
      await DBOS.startWorkflow(queuedThreeSteps, { queueName: benchQueueName })(input);
    },
    async startReceiver(workflowID) {
      const handle = await DBOS.startWorkflow(receiver, { workflowID })();
      return async () => void (await handle.getResult());
    },
    async startEventSetter(workflowID, input) {
      const handle = await DBOS.startWorkflow(eventSetter, { workflowID })(input);
      return async () => void (await handle.getResult());
    },
    send: (workflowID, message) => DBOS.send(workflowID, message, benchTopic),
    getEvent: (workflowID) => DBOS.getEvent(workflowID, benchTopic),
    // Drains like durably's shutdown does: a workflow left PENDING would be recovered by the next
    // process with this executor ID and skew what that one measures.
    shutdown: () => DBOS.shutdown({ workflowCompletionTimeoutMS: 10_000 }),
  };
}

type QueryArgument = string | { text?: string } | undefined;

/** Wraps Client.prototype.query of the `pg` that DBOS itself loads, counting per client. */
function countPgStatements(counter: StatementCounter): void {
  const fromDbos = createRequire(createRequire(import.meta.url).resolve("@dbos-inc/dbos-sdk"));
  const pg = fromDbos("pg") as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function query(this: object, ...args: unknown[]) {
    const first = args[0] as QueryArgument;
    counter.record(typeof first === "string" ? first : (first?.text ?? ""), this);
    return original.apply(this, args);
  };
}
