// One measurement in a fresh process: `worker.ts <durably|dbos|postgres> <scenario> <json>`.
// Prints `BENCH_RESULT {...}` on success (and `BENCH_READY` where a scenario reaches its kill
// point, and scenario 5's queue worker once it serves); a crash exits non-zero. The two libraries never share a
// process: DBOS is a singleton.
import type { LibraryName } from "./libraries/library.js";
import { openLibrary } from "./libraries/open-library.js";
import { measurePhysicalLimit } from "./physical-limit.js";
import { clientRoundTrip, clientServer } from "./scenarios/client.js";
import { launchTime } from "./scenarios/launch-time.js";
import { longWorkflow } from "./scenarios/long-workflow.js";
import { messages } from "./scenarios/messages.js";
import { messagesAcross, messagesPeer } from "./scenarios/messages-across.js";
import { parallel } from "./scenarios/parallel.js";
import { profileClient, profileSequential } from "./scenarios/profile.js";
import { queue } from "./scenarios/queue.js";
import { prepareDatabase, queueDrain } from "./scenarios/queue-drain.js";
import { enqueueBatch } from "./scenarios/enqueue-batch.js";
import { scaleOut } from "./scenarios/scale-out.js";
import { recovery, recoveryVictim } from "./scenarios/recovery.js";
import type { Scenario, ScenarioResult } from "./scenarios/scenario.js";
import { sequential } from "./scenarios/sequential.js";
import { statementCounts } from "./scenarios/statement-counts.js";
import { readyLine, resultPrefix, type WorkerInput } from "./worker-protocol.js";

/** Worker scenario names; `launch` serves both cold and warm (the parent prepares the database). */
const workerScenarios: Readonly<Record<string, Scenario>> = {
  sequential,
  parallel,
  "long-workflow": longWorkflow,
  queue,
  "queue-drain": queueDrain,
  "enqueue-batch": enqueueBatch,
  "scale-out": scaleOut,
  "prepare-database": prepareDatabase,
  client: clientRoundTrip,
  "client-server": clientServer,
  messages,
  "messages-across": messagesAcross,
  "messages-peer": messagesPeer,
  statements: statementCounts,
  "recovery-victim": recoveryVictim,
  recovery,
  launch: launchTime,
  "profile-sequential": profileSequential,
  "profile-client": profileClient,
};

async function main(): Promise<void> {
  const [library, scenario, json] = process.argv.slice(2);
  if (library === undefined || scenario === undefined || json === undefined) {
    throw new Error("usage: worker.ts <durably|dbos|postgres> <scenario> <json input>");
  }
  const input = JSON.parse(json) as WorkerInput;
  let result: ScenarioResult;
  if (library === "postgres" && scenario === "physical-limit") {
    const limit = await measurePhysicalLimit(input.url, input.sizes.physicalMs, input.sizes.physicalConnections);
    result = { metrics: { ...limit } };
  } else if (library === "durably" || library === "dbos") {
    const run = workerScenarios[scenario];
    if (run === undefined) throw new Error(`unknown scenario ${scenario}`);
    const name: LibraryName = library;
    result = await run({
      library: name,
      sizes: input.sizes,
      url: input.url,
      executorId: input.executorId,
      workflowIDs: input.workflowIDs ?? [],
      open: (options = {}) => openLibrary(name, { ...options, url: input.url }),
      ready: () => process.stdout.write(`${readyLine}\n`),
    });
  } else {
    throw new Error(`unknown library ${library} (durably, dbos, or postgres for physical-limit)`);
  }
  // Exit at once: a library's leftover timers must not hold the measurement hostage.
  process.stdout.write(`${resultPrefix}${JSON.stringify(result)}\n`, () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
