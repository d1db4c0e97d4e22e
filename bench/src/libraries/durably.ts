// The benchmark's workflows on durably (@durably/core), configured as a user would: an explicit
// context, pool of 10 (the default), quiet logger, statements counted through the onQuery hook.
import {
  createConsoleLogger,
  createDBOSContext,
  launch,
  registerWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import { getEvent, recv, send, setEvent } from "@durably/notifications";
import { registerQueue, type Queue } from "@durably/queues";
import {
  benchApplicationVersion,
  benchQueueName,
  benchTopic,
  type BenchLibrary,
  type LibraryOptions,
} from "./library.js";
import { durablyPoolSize } from "./library-settings.js";
import { instrumentForBench } from "./otel-setup.js";

export function createDurablyLibrary(options: LibraryOptions): BenchLibrary {
  const counter = options.counter;
  const dbos = createDBOSContext({
    appName: "bench",
    ...throughPgBouncer(options.url),
    applicationVersion: benchApplicationVersion,
    poolSize: durablyPoolSize,
    logger: createConsoleLogger("error"),
    ...(options.executorId === undefined ? {} : { executorId: options.executorId }),
    ...(counter === undefined ? {} : { onQuery: (sql: string, connection: number) => counter.record(sql, connection) }),
  });
  if (process.env.DURABLY_BENCH_OTEL === "1") instrumentForBench(dbos);
  const beforeStepTwo = options.beforeRecoverableStepTwo ?? (async () => undefined);
  const onLongStep = options.onLongWorkflowStep ?? (() => undefined);

  const threeSteps = registerWorkflow(
    dbos,
    async (ctx: DBOSContext, x: number) => {
      const a = await runAsStep(ctx, async () => x + 1, { name: "stepOne" });
      const b = await runAsStep(ctx, async () => a + 1, { name: "stepTwo" });
      return runAsStep(ctx, async () => b + 1, { name: "stepThree" });
    },
    { name: "threeSteps" },
  );
  const recoverable = registerWorkflow(
    dbos,
    async (ctx: DBOSContext, x: number) => {
      const a = await runAsStep(ctx, async () => x + 1, { name: "stepOne" });
      const b = await runAsStep(ctx, async () => (await beforeStepTwo(), a + 1), { name: "stepTwo" });
      return runAsStep(ctx, async () => b + 1, { name: "stepThree" });
    },
    { name: "recoverable" },
  );
  const longWorkflow = registerWorkflow(
    dbos,
    async (ctx: DBOSContext, steps: number) => {
      for (let i = 0; i < steps; i++) await runAsStep(ctx, async () => (onLongStep(i), i), { name: "step" });
      return steps;
    },
    { name: "longWorkflow" },
  );

  const queueOptions = options.queue;
  const queuedThreeSteps = registerWorkflow(
    dbos,
    async (ctx: DBOSContext, x: number) => {
      const a = await runAsStep(ctx, async () => (queueOptions?.onStart(x), x + 1), { name: "stepOne" });
      const b = await runAsStep(ctx, async () => a + 1, { name: "stepTwo" });
      return runAsStep(ctx, async () => (queueOptions?.onDone(x), b + 1), { name: "stepThree" });
    },
    { name: "queuedThreeSteps" },
  );
  let queue: Queue | undefined;
  const messaging = options.messaging;
  const receiver = registerWorkflow(
    dbos,
    async (ctx: DBOSContext) => {
      messaging?.beforeRecv();
      const message = await recv<number>(ctx, { topic: benchTopic });
      messaging?.afterRecv();
      return message;
    },
    { name: "receiver" },
  );
  const eventSetter = registerWorkflow(
    dbos,
    async (ctx: DBOSContext, x: number) => {
      await messaging?.beforeSetEvent();
      await setEvent(ctx, benchTopic, x);
    },
    { name: "eventSetter" },
  );

  return {
    name: "durably",
    async launch() {
      // Registered before launch: the row is written and the queue served from launch on.
      if (queueOptions !== undefined)
        queue = await registerQueue(dbos, benchQueueName, { workerConcurrency: queueOptions.workerConcurrency });
      await launch(dbos);
    },
    async runThreeSteps(input) {
      await (await runWorkflow(dbos, threeSteps, input)).getResult();
    },
    async startRecoverable(workflowID, input) {
      await runWorkflow(dbos, recoverable, input, { workflowID });
    },
    async awaitWorkflow(workflowID) {
      await (await retrieveWorkflow(dbos, workflowID)).getResult();
    },
    async runLongWorkflow(steps) {
      await (await runWorkflow(dbos, longWorkflow, steps)).getResult();
    },
    async enqueue(input) {
      if (queue === undefined) throw new Error("enqueue needs the queue option");
      await runWorkflow(dbos, queuedThreeSteps, input, { queue });
    },
    async startReceiver(workflowID) {
      const handle = await runWorkflow(dbos, receiver, undefined, { workflowID });
      return async () => void (await handle.getResult());
    },
    async startEventSetter(workflowID, input) {
      const handle = await runWorkflow(dbos, eventSetter, input, { workflowID });
      return async () => void (await handle.getResult());
    },
    send: (workflowID, message) => send(dbos, workflowID, message, { topic: benchTopic }),
    getEvent: (workflowID) => getEvent(dbos, workflowID, benchTopic),
    shutdown: () => shutdown(dbos),
  };
}

/** The system database URL, or (--pgbouncer) the same database through the bench's PgBouncer with LISTEN direct. */
function throughPgBouncer(url: string): { systemDatabaseUrl: string; transactionPooler?: boolean; listenUrl?: string } {
  const port = process.env.DURABLY_BENCH_PGBOUNCER_PORT;
  if (port === undefined) return { systemDatabaseUrl: url };
  const pooled = new URL(url);
  pooled.hostname = "127.0.0.1";
  pooled.port = port;
  return { systemDatabaseUrl: pooled.toString(), transactionPooler: true, listenUrl: url };
}
