// `pnpm bench`: every scenario for durably and DBOS TypeScript 5.3.0 on one Postgres server, each
// measurement in a fresh worker process, libraries alternating, warm-up rounds then measured
// rounds; prints the table and writes results/<timestamp>.json, results/latest.json and
// results/latest.svg. Exits non-zero if any run crashed, never because of a timing.
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseBenchOptions, usage, type BenchOptions } from "./bench-options.js";
import { startPgBouncer } from "@durably/testing";
import { openBenchServer, type BenchServer } from "./bench-server.js";
import { dbosResultPollingMs, durablyPoolSize } from "./libraries/library-settings.js";
import { benchApplicationVersion, type LibraryName } from "./libraries/library.js";
import { describeMachine } from "./machine-info.js";
import { renderProfile, type ProfileTable } from "./profile/profile-summary.js";
import type { BenchReport } from "./report/bench-report.js";
import { renderChartSvg } from "./report/chart-svg.js";
import { comparedMetrics } from "./report/metric-catalog.js";
import { writeResultsJson } from "./report/results-json.js";
import type { RunRecord } from "./report/run-record.js";
import { summarizeCpu, summarizeMetrics, summarizePhysicalLimit } from "./report/summarize-runs.js";
import { renderTable } from "./report/table.js";
import { evaluateTargets } from "./report/targets.js";
import { runnableScenarioIds, scenarioCatalog } from "./scenarios/scenario-catalog.js";
import { spawnWorker, type SpawnWorkerOptions, type WorkerOutcome } from "./spawn-worker.js";

// Another checkout's bench on the same server recreates the default names at its start: a prefix of
// its own keeps two runs (two worktrees, A and B of an A/B) out of each other's databases.
const databasePrefix = process.env.DURABLY_BENCH_DATABASE_PREFIX ?? "bench";
const databases = {
  durably: `${databasePrefix}_durably`,
  dbos: `${databasePrefix}_dbos`,
  // The queue scenarios get databases of their own: DBOS serves every queue defined in its database,
  // so a queue row left in the shared one would add a poll to every later DBOS scenario.
  durably_queue: `${databasePrefix}_durably_queue`,
  dbos_queue: `${databasePrefix}_dbos_queue`,
  // Scenario 5 likewise: its worker process registers the same queue.
  durably_client: `${databasePrefix}_durably_client`,
  dbos_client: `${databasePrefix}_dbos_client`,
  // The batch enqueue's rows stay ENQUEUED (nobody serves them): kept out of every other scenario's way.
  durably_batch: `${databasePrefix}_durably_batch`,
  dbos_batch: `${databasePrefix}_dbos_batch`,
  // The scale-out workers serve the bench queue: a database of their own, as scenario 4's.
  durably_scale: `${databasePrefix}_durably_scale`,
  dbos_scale: `${databasePrefix}_dbos_scale`,
  probe: `${databasePrefix}_physical`,
} as const;
const databaseOf = (library: LibraryName, scenario: string): string =>
  scenario === "queue" || scenario === "queue-drain"
    ? databases[`${library}_queue`]
    : scenario === "client"
      ? databases[`${library}_client`]
      : scenario === "enqueue-batch"
        ? databases[`${library}_batch`]
        : scenario === "scale-out"
          ? databases[`${library}_scale`]
          : databases[library];
const launchDatabase = (library: LibraryName) => `${databasePrefix}_${library}_launch`;
/** Scenarios that are one worker run per library and round. */
/** Scenario 5 (`client`) is one client process per library and round; it starts its queue worker itself. */
const plainScenarios = [
  "sequential",
  "parallel",
  "long-workflow",
  "queue",
  "queue-drain",
  "enqueue-batch",
  "scale-out",
  "client",
  "messages",
  "messages-across",
  "statements",
] as const;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let options: BenchOptions;
  try {
    const parsed = parseBenchOptions(argv);
    if (parsed === "help") {
      console.log(usage);
      return 0;
    }
    options = parsed;
    // The workers inherit it: libraries/durably.ts turns @durably/otel on (libraries/otel-setup.ts).
    if (options.otel) {
      process.env.DURABLY_BENCH_OTEL = "1";
      console.log("durably runs with @durably/otel on (batch span processor, dropping exporter)");
    }
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const unknown = options.only.filter((id) => !(runnableScenarioIds as readonly string[]).includes(id));
  if (unknown.length > 0) {
    console.error(`Unknown scenario(s) in --only: ${unknown.join(", ")}. Known: ${runnableScenarioIds.join(", ")}.`);
    return 2;
  }
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const say = (line: string) => console.log(line);
  const server = await openBenchServer(say);
  // The workers inherit the port: libraries/durably.ts then connects through it.
  const bouncer = options.pgbouncer
    ? await startPgBouncer({ upstreamUrl: server.url("postgres"), poolSize: 20 })
    : undefined;
  if (bouncer !== undefined) {
    process.env.DURABLY_BENCH_PGBOUNCER_PORT = String(bouncer.port);
    say(`durably runs through PgBouncer (pool_mode = transaction, 20 server connections) on port ${bouncer.port}`);
  }
  try {
    const serverInfo = { kind: server.kind, host: server.host, ...(await server.describe()) };
    say(
      `durably bench: ${serverInfo.version.split(" on ")[0]} at ${server.host} ` +
        `(${server.kind}); ${options.warmupRounds} warm-up + ${options.rounds} measured round(s)`,
    );
    for (const name of Object.values(databases)) await server.recreate(name);
    if (options.profile) return await runProfile(server, options, say);
    const runs = await runRounds(server, options, say);

    const metrics = summarizeMetrics(runs, comparedMetrics(options.sizes));
    const report: BenchReport = {
      startedAt,
      finishedAt: new Date().toISOString(),
      command: `pnpm bench${argv.length > 0 ? ` ${argv.join(" ")}` : ""}`,
      machine: { ...machine, loadAtEnd: loadavg() },
      server: serverInfo,
      options,
      libraries: libraryInfo(),
      scenarios: scenarioCatalog(options.sizes),
      metrics,
      physicalLimit: summarizePhysicalLimit(runs),
      cpu: summarizeCpu(runs),
      statementShapes: statementShapes(runs),
      targets: evaluateTargets(metrics),
      failures: runs.filter((r) => !r.ok),
      runs,
    };
    say("");
    say(renderTable(report));
    const outDir =
      options.outDir === undefined ? fileURLToPath(new URL("../results", import.meta.url)) : resolve(options.outDir);
    const jsonPath = await writeResultsJson(outDir, report);
    const svgPath = join(outDir, "latest.svg");
    await writeFile(svgPath, renderChartSvg(report));
    say("");
    say(`wrote ${jsonPath}, ${join(outDir, "latest.json")} and ${svgPath}`);
    return report.failures.length > 0 ? 1 : 0;
  } finally {
    await bouncer?.stop();
    await server.stop();
  }
}

async function runRounds(
  server: BenchServer,
  options: BenchOptions,
  say: (line: string) => void,
): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  const selected = (id: string) => options.only.length === 0 || options.only.includes(id);
  const total = options.warmupRounds + options.rounds;
  const base = { sizes: options.sizes };
  const worker = (o: Omit<SpawnWorkerOptions, "timeoutMs">) =>
    spawnWorker({ ...o, timeoutMs: options.workerTimeoutMs });

  for (let round = 1; round <= total; round++) {
    const warmup = round <= options.warmupRounds;
    // Alternate which library goes first, so neither always runs on a cooler (or warmer) server.
    const order: LibraryName[] = round % 2 === 1 ? ["durably", "dbos"] : ["dbos", "durably"];
    say(`round ${round}/${total}${warmup ? " (warm-up, not counted)" : ""}`);
    const record = (
      library: RunRecord["library"],
      scenario: string,
      outcome: WorkerOutcome,
      elapsedMs = outcome.elapsedMs,
    ) => {
      const run: RunRecord = outcome.ok
        ? {
            round,
            warmup,
            library,
            scenario,
            ok: true,
            metrics: outcome.result?.metrics ?? {},
            details: outcome.result?.details,
            elapsedMs,
          }
        : { round, warmup, library, scenario, ok: false, error: outcome.error, elapsedMs };
      runs.push(run);
      say(`  ${scenario.padEnd(15)} ${library.padEnd(8)} ${describeRun(run)}`);
    };

    if (selected("physical-limit")) {
      record(
        "postgres",
        "physical-limit",
        await worker({
          library: "postgres",
          scenario: "physical-limit",
          input: { ...base, url: server.url(databases.probe) },
        }),
      );
    }
    // Autovacuum may be off (it is on this project's CI machines): dead index entries left by
    // earlier runs would then slow later ones, so each run starts from a vacuumed database.
    const prepare = (database: string) => (options.vacuum ? server.vacuum(database) : Promise.resolve());
    for (const scenario of plainScenarios) {
      if (!selected(scenario)) continue;
      for (const library of order) {
        await prepare(databaseOf(library, scenario));
        record(
          library,
          scenario,
          await worker({ library, scenario, input: { ...base, url: server.url(databaseOf(library, scenario)) } }),
        );
      }
    }
    if (selected("recovery")) {
      for (const library of order) {
        await prepare(databases[library]);
        const input = {
          ...base,
          url: server.url(databases[library]),
          executorId: `bench-recovery-r${round}`,
          workflowIDs: Array.from({ length: options.sizes.recovery }, (_, i) => `recovery-r${round}-${i}`),
        };
        const victim = await worker({ library, scenario: "recovery-victim", input, killWhenReady: true });
        if (!victim.ok) {
          record(library, "recovery", victim);
          continue;
        }
        const recovered = await worker({ library, scenario: "recovery", input });
        record(library, "recovery", recovered, victim.elapsedMs + recovered.elapsedMs);
      }
    }
    if (selected("launch")) {
      for (const library of order) {
        const input = { ...base, url: server.url(launchDatabase(library)) };
        await server.drop(launchDatabase(library));
        record(library, "launch-cold", await worker({ library, scenario: "launch", input }));
        record(library, "launch-warm", await worker({ library, scenario: "launch", input }));
      }
    }
  }
  return runs;
}

/** --profile: the two profile workers, their tables printed; non-zero if one failed. */
async function runProfile(server: BenchServer, options: BenchOptions, say: (line: string) => void): Promise<number> {
  let failed = 0;
  for (const [scenario, database] of [
    ["profile-sequential", databases.durably],
    ["profile-client", databases.durably_client],
  ] as const) {
    const outcome = await spawnWorker({
      library: "durably",
      scenario,
      input: { sizes: options.sizes, url: server.url(database) },
      timeoutMs: options.workerTimeoutMs,
    });
    if (!outcome.ok) {
      failed++;
      say(`${scenario} FAILED: ${outcome.error}`);
      continue;
    }
    for (const table of (outcome.result?.details?.profile ?? []) as ProfileTable[]) say(`\n${renderProfile(table)}`);
  }
  say(
    "\nround trip: driver send to reply; serialize: encodes and decodes in the gap before the statement; " +
      "notified: gap start to a notification's arrival; JS/turns: the rest of the gap (promise turns, timers, " +
      "library and workflow code). Means of the most common statement sequence, slowest 5% set apart.",
  );
  return failed > 0 ? 1 : 0;
}

/** One progress line: the run's metrics, compactly. */
function describeRun(run: RunRecord): string {
  const seconds = `(${(run.elapsedMs / 1000).toFixed(1)} s)`;
  if (!run.ok) return `FAILED ${seconds}: ${(run.error ?? "").split("\n")[0]}`;
  const metrics = Object.entries(run.metrics ?? {})
    .map(
      ([key, value]) => `${key} ${Number.isInteger(value) ? value : value < 10 ? value.toFixed(3) : value.toFixed(1)}`,
    )
    .join(", ");
  return `${metrics} ${seconds}`;
}

function statementShapes(runs: readonly RunRecord[]): Record<string, unknown> {
  const shapes: Record<string, unknown> = {};
  for (const library of ["durably", "dbos"]) {
    const last = [...runs]
      .reverse()
      .find((r) => r.ok && !r.warmup && r.library === library && r.scenario === "statements");
    if (last !== undefined) shapes[library] = last.details?.statementsPerWorkflowByShape;
  }
  return shapes;
}

function libraryInfo(): BenchReport["libraries"] {
  const require = createRequire(import.meta.url);
  const durably = JSON.parse(readFileSync(require.resolve("@durably/core/package.json"), "utf8")) as {
    version: string;
  };
  const dbosEntry = require.resolve("@dbos-inc/dbos-sdk");
  const dbos = JSON.parse(readFileSync(join(dirname(dbosEntry), "..", "..", "package.json"), "utf8")) as {
    version: string;
  };
  return {
    durably: {
      version: durably.version,
      poolSize: durablyPoolSize,
      applicationVersion: benchApplicationVersion,
      logger: "errors only",
      config: "createDBOSContext({ appName, systemDatabaseUrl, applicationVersion, poolSize: 10, logger })",
    },
    dbos: {
      version: dbos.version,
      systemDatabasePoolSize: "default (10)",
      applicationVersion: benchApplicationVersion,
      logLevel: "error",
      config:
        "DBOS.setConfig({ name, systemDatabaseUrl, applicationVersion, logLevel: 'error' }); executorID set " +
        "for recovery",
      recoveryResultPollingMs: dbosResultPollingMs,
      note: "recovery re-enqueues onto DBOS's internal queue, polled every 1 s (its default)",
    },
  };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
