// The CPU that @durably/otel's hooks cost per 3-step workflow, without a database: the calls core
// makes for one workflow (start, run, three steps, end) against the SDK that bench --otel registers,
// timed against the same awaits with no observer. Pure CPU in one thread, so a loaded machine still
// gives figures that compare (alternate runs anyway).
//   npx tsx src/otel/hook-cost.ts [workflows=20000] [rounds=5]
import { context, createContextKey } from "@opentelemetry/api";
import { createDBOSContext } from "@durably/core";
import { extensionHost, type Instrumentation } from "@durably/core/extension";
import { instrumentForBench } from "../libraries/otel-setup.js";

const workflows = Number(process.argv[2] ?? "20000");
const rounds = Number(process.argv[3] ?? "5");
const dbos = createDBOSContext({ appName: "hook-cost", systemDatabaseUrl: "postgres://unused@127.0.0.1:1/none" });
instrumentForBench(dbos);
const instrumentation = extensionHost(dbos).instrumentation as Instrumentation;
const stepNames = ["stepOne", "stepTwo", "stepThree"];
const work = async (x: number) => x + 1;

/** One workflow as core observes it: the start (before and after its insert), the run, three steps. */
async function observedWorkflow(i: number): Promise<number> {
  const workflowID = `wf-${i}`;
  const start = instrumentation.workflowStart!({
    workflowID,
    workflowName: "threeSteps",
    queueName: null,
    parent: undefined,
    parentStepID: undefined,
    applicationVersion: "bench-1",
  });
  await Promise.resolve(); // the insert
  start?.end(true);
  const run = await instrumentation.workflowRun!({
    workflowID,
    workflowName: "threeSteps",
    queueName: null,
    applicationVersion: "bench-1",
    executorID: "local",
    origin: "started",
    traceContext: start?.traceContext,
    createdAt: undefined,
    replayedSteps: 0,
  });
  const body = async () => {
    let x = i;
    for (let s = 0; s < 3; s++) {
      const step = run?.step({ stepID: s + 1, name: stepNames[s]!, type: "step" });
      x = await (step === undefined ? work(x) : step.within(() => work(x)));
      await Promise.resolve(); // the checkpoint
      step?.end(undefined, 1);
    }
    return x;
  };
  const value = await (run === undefined ? body() : run.within(body));
  run?.end({ status: "SUCCESS" });
  return value;
}

/** The same awaits without an observer. */
async function plainWorkflow(i: number): Promise<number> {
  await Promise.resolve();
  let x = i;
  for (let s = 0; s < 3; s++) {
    x = await work(x);
    await Promise.resolve();
  }
  return x;
}

async function timed(fn: (i: number) => Promise<number>): Promise<number> {
  const before = process.cpuUsage();
  // 100 in flight, as the parallel scenario.
  let next = 0;
  const lane = async () => {
    while (next < workflows) await fn(next++);
  };
  await Promise.all(Array.from({ length: 100 }, lane));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / workflows;
}

// A service's instrumented HTTP server has AsyncLocalStorage's promise hook on already; so does this run.
await context.with(context.active().setValue(createContextKey("request"), 1), async () => {
  await timed(plainWorkflow);
  await timed(observedWorkflow);
  const plain: number[] = [];
  const observed: number[] = [];
  for (let r = 0; r < rounds; r++) {
    plain.push(await timed(plainWorkflow));
    observed.push(await timed(observedWorkflow));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `CPU per workflow: plain ${median(plain).toFixed(1)} µs, observed ${median(observed).toFixed(1)} µs, ` +
      `hooks ${(median(observed) - median(plain)).toFixed(1)} µs (medians of ${rounds} rounds of ${workflows})`,
  );
});
process.exit(0);
