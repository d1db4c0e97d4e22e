// The command line of `pnpm bench`: rounds, sizes, the smoke preset, and which scenarios to run.

/** How much work each scenario does; the same for both libraries. */
export interface BenchSizes {
  /** Scenario 1: sequential 3-step workflows measured (after `sequentialWarmup` unmeasured ones). */
  readonly sequential: number;
  readonly sequentialWarmup: number;
  /** Scenario 2: 3-step workflows run with `inFlight` at a time (after `parallelWarmup` unmeasured ones). */
  readonly parallel: number;
  readonly inFlight: number;
  readonly parallelWarmup: number;
  /** Scenario 3: steps of the long workflow (a shorter one runs first, unmeasured). */
  readonly longSteps: number;
  /**
   * Scenario 4: workflows enqueued by one caller, served with `queueConcurrency` in the same process (after
   * `queueWarmup` unmeasured ones).
   */
  readonly queue: number;
  readonly queueConcurrency: number;
  readonly queueWarmup: number;
  /** Scenario 5: client round trips from a separate process, one at a time (after `clientWarmup` unmeasured ones). */
  readonly client: number;
  readonly clientWarmup: number;
  /** Scenario 6: send → recv and setEvent → getEvent round trips measured (after `messagesWarmup` unmeasured ones). */
  readonly messages: number;
  readonly messagesWarmup: number;
  /** Scenario 7: workflows killed in step 2 and recovered. */
  readonly recovery: number;
  /** Statement counts: sequential workflows counted (after `statementWarmup` uncounted ones). */
  readonly statementWorkflows: number;
  readonly statementWarmup: number;
  /** Physical limit: how long each INSERT loop runs, and on how many connections the second one. */
  readonly physicalMs: number;
  readonly physicalConnections: number;
}

export interface BenchOptions {
  readonly rounds: number;
  readonly warmupRounds: number;
  readonly sizes: BenchSizes;
  /** Scenario IDs to run; empty means all. */
  readonly only: readonly string[];
  /** Where results go. Default `bench/results`. */
  readonly outDir: string | undefined;
  readonly smoke: boolean;
  /** VACUUM (ANALYZE) a library's database before each of its runs (default); off with --no-vacuum. */
  readonly vacuum: boolean;
  /**
   * durably's workers run with @durably/otel on a real SDK (batch span processor, an exporter that drops), for
   * the A/B of tracing on against off; --otel. Passed to the workers as DURABLY_BENCH_OTEL=1.
   */
  readonly otel: boolean;
  /**
   * durably's workers reach the server through a PgBouncer in transaction mode started by the bench
   * (transactionPooler on, LISTEN on a direct listenUrl); --pgbouncer. Run once with and once without,
   * and compare throughput and enqueue→start latency. Passed to the workers as DURABLY_BENCH_PGBOUNCER_PORT.
   */
  readonly pgbouncer: boolean;
  /**
   * Instead of the scenarios: a per-phase profile of durably's sequential 3-step workflow, client enqueue and client
   * round trip (statement round trips, serialization, notification waits, the rest), from its diagnostics channels;
   * --profile.
   */
  readonly profile: boolean;
  /** Upper bound for one worker process, in ms. */
  readonly workerTimeoutMs: number;
}

export const fullSizes: BenchSizes = Object.freeze({
  sequential: 300,
  sequentialWarmup: 20,
  parallel: 3000,
  inFlight: 100,
  parallelWarmup: 200,
  longSteps: 10_000,
  queue: 2000,
  queueConcurrency: 100,
  queueWarmup: 200,
  client: 200,
  clientWarmup: 10,
  messages: 100,
  messagesWarmup: 10,
  recovery: 20,
  statementWorkflows: 100,
  statementWarmup: 10,
  physicalMs: 2000,
  physicalConnections: 10,
});

/** CI's preset: enough to run every code path, too little to mean anything. */
export const smokeSizes: BenchSizes = Object.freeze({
  sequential: 20,
  sequentialWarmup: 3,
  parallel: 100,
  inFlight: 10,
  parallelWarmup: 10,
  longSteps: 50,
  queue: 50,
  queueConcurrency: 10,
  queueWarmup: 10,
  client: 5,
  clientWarmup: 2,
  messages: 5,
  messagesWarmup: 2,
  recovery: 3,
  statementWorkflows: 10,
  statementWarmup: 3,
  physicalMs: 300,
  physicalConnections: 10,
});

const sizeFlags: Record<string, keyof BenchSizes> = {
  "--sequential": "sequential",
  "--parallel": "parallel",
  "--in-flight": "inFlight",
  "--long-steps": "longSteps",
  "--queue": "queue",
  "--queue-concurrency": "queueConcurrency",
  "--client": "client",
  "--messages": "messages",
  "--recovery": "recovery",
  "--statement-workflows": "statementWorkflows",
  "--physical-ms": "physicalMs",
  "--physical-connections": "physicalConnections",
};

export const usage =
  `Usage: pnpm bench [options]

  --rounds N          measured rounds (default 3; smoke 1)
  --warmup N          unmeasured warm-up rounds first (default 1; smoke 0)
  --smoke             tiny sizes, 1 round, no warm-up (what CI runs)
  --only a,b          run only these scenarios: ` +
  `physical-limit,sequential,parallel,long-workflow,queue,queue-drain,enqueue-batch,scale-out,` +
  `client,messages,messages-across,statements,recovery,launch
  --sequential N      scenario 1 workflows (default ${fullSizes.sequential})
  --parallel N        scenario 2 workflows (default ${fullSizes.parallel})
  --in-flight N       scenario 2 concurrency (default ${fullSizes.inFlight})
  --long-steps N      scenario 3 steps (default ${fullSizes.longSteps})
  --queue N           scenario 4 workflows enqueued (default ${fullSizes.queue})
  --queue-concurrency N     scenario 4 worker concurrency (default ${fullSizes.queueConcurrency})
  --client N          scenario 5 client round trips, one at a time (default ${fullSizes.client})
  --messages N        scenario 6 round trips of each kind (default ${fullSizes.messages})
  --recovery N        scenario 7 workflows (default ${fullSizes.recovery})
  --statement-workflows N   workflows counted for SQL statements (default ${fullSizes.statementWorkflows})
  --physical-ms N     duration of each INSERT loop (default ${fullSizes.physicalMs})
  --physical-connections N  connections of the second INSERT loop (default ${fullSizes.physicalConnections})
  --no-vacuum         skip the VACUUM (ANALYZE) of a library's database before each of its runs
  --otel              durably with @durably/otel on (real SDK, batch processor, dropping exporter): run once
                      with and once without, and compare
  --pgbouncer         durably through a PgBouncer (pool_mode = transaction) the bench starts, LISTEN direct:
                      run once with and once without, and compare
  --profile           instead of the scenarios: where durably's time goes in one sequential 3-step workflow,
                      one client enqueue and one client round trip (statement round trips, serialization,
                      notification waits, promise turns and code between), printed as tables
  --out DIR           results folder (default bench/results)

Server: DURABLY_BENCH_DATABASE_URL, else the test order (DURABLY_TEST_DATABASE_URL, Docker,
the machine's own Postgres, embedded Postgres). Databases: DURABLY_BENCH_DATABASE_PREFIX (default bench)
names them, so two runs on one server stay apart.`;

/** Parses argv (without node and the script); throws a message for the user on bad input. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | "help" {
  const args = argv.filter((a) => a !== "--");
  if (args.includes("--help") || args.includes("-h")) return "help";
  const smoke = args.includes("--smoke");
  const vacuum = !args.includes("--no-vacuum");
  const otel = args.includes("--otel");
  const pgbouncer = args.includes("--pgbouncer");
  const profile = args.includes("--profile");
  let rounds = smoke ? 1 : 3;
  let warmupRounds = smoke ? 0 : 1;
  const sizes: Record<keyof BenchSizes, number> = { ...(smoke ? smokeSizes : fullSizes) };
  let only: string[] = [];
  let outDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    if (
      flag === "--smoke" ||
      flag === "--no-vacuum" ||
      flag === "--otel" ||
      flag === "--pgbouncer" ||
      flag === "--profile"
    )
      continue;
    const value = args[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value (or is unknown).\n\n${usage}`);
    i++;
    if (flag === "--rounds") rounds = count(flag, value, 1);
    else if (flag === "--warmup") warmupRounds = count(flag, value, 0);
    else if (flag === "--only")
      only = value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    else if (flag === "--out") outDir = value;
    else if (flag in sizeFlags) sizes[sizeFlags[flag]!] = count(flag, value, 1);
    else throw new Error(`Unknown option ${flag}.\n\n${usage}`);
  }
  if (sizes.longSteps < 20)
    throw new Error("--long-steps must be at least 20 (steps 6-15 and the last 10 are measured).");
  return Object.freeze({
    rounds,
    warmupRounds,
    sizes: Object.freeze(sizes),
    only,
    outDir,
    smoke,
    vacuum,
    otel,
    pgbouncer,
    profile,
    workerTimeoutMs: smoke ? 60_000 : 180_000,
  });
}

function count(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got ${value}.`);
  return n;
}
