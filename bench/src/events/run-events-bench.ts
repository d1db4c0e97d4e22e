// `pnpm bench:events`: per broker, messages per second from publish to workflow started and the
// publish→start p50/p99, beside the broker's own floor: the same adapter fetching and acking the
// same burst with no workflow (what the broker and its client give without durably).
// Flags: --messages N (default 2000), --brokers redis,nats,rabbitmq.
import { createDBOSContext, launch, registerWorkflow, shutdown } from "@durably/core";
import { receiveEvents } from "@durably/events";
import { openBenchServer } from "../bench-server.js";
import { describeMachine } from "../machine-info.js";
import { percentile } from "../sample-stats.js";
import { type BrokerKind, brokerKinds, openBenchBroker } from "./event-brokers.js";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
const messages = Number(flag("messages") ?? 2000);
const brokers = (flag("brokers")?.split(",") ?? brokerKinds) as BrokerKind[];
const log = (line: string) => console.log(line);

interface Measured {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

const bodies = () => Array.from({ length: messages }, (_, n) => JSON.stringify({ n, t: Date.now() }));
const summary = (latencies: number[], elapsedMs: number): Measured => ({
  perSecond: Math.round((latencies.length / elapsedMs) * 1000),
  p50: percentile(latencies, 50),
  p99: percentile(latencies, 99),
});

/** The broker's floor: fetch and ack the burst through the adapter, no workflow. */
async function floor(kind: BrokerKind): Promise<Measured> {
  const broker = await openBenchBroker(kind, `f${Date.now().toString(36)}`);
  try {
    const source = await openSource(broker);
    const latencies: number[] = [];
    const start = Date.now();
    const publishing = broker.publish(bodies());
    const abort = new AbortController();
    const deadline = start + 120_000;
    while (latencies.length < messages && Date.now() < deadline) {
      for (const d of await source.fetch(100, abort.signal)) {
        latencies.push(Date.now() - (JSON.parse(Buffer.from(d.message.body).toString()) as { t: number }).t);
        await d.ack();
      }
    }
    const elapsed = Date.now() - start;
    await publishing;
    await source.close();
    return summary(latencies, elapsed);
  } finally {
    await broker.remove();
  }
}

async function openSource(broker: Awaited<ReturnType<typeof openBenchBroker>>) {
  return broker.openSource();
}

/** publish → workflow started through receiveEvents on a fresh system database. */
async function durably(kind: BrokerKind, databaseUrl: string): Promise<Measured> {
  const broker = await openBenchBroker(kind, `d${Date.now().toString(36)}`);
  const dbos = createDBOSContext({ appName: "bench-events", systemDatabaseUrl: databaseUrl, logger: quiet });
  const latencies: number[] = [];
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const workflow = registerWorkflow(
    dbos,
    async (_ctx, input: { n: number; t: number }) => {
      latencies.push(Date.now() - input.t);
      if (latencies.length === messages) done();
    },
    { name: "benchEvent" },
  );
  try {
    await launch(dbos);
    const receiver = await receiveEvents(dbos, await broker.openSource(), { workflow, batchSize: 100 });
    const start = Date.now();
    await broker.publish(bodies());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, 180_000)))]);
    clearTimeout(timer);
    const elapsed = Date.now() - start;
    await receiver.stop();
    return summary(latencies, elapsed);
  } finally {
    await shutdown(dbos).catch(() => undefined);
    await broker.remove();
  }
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const server = await openBenchServer(log);
const machine = describeMachine();
log(
  `machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load ${machine.loadAtStart.map((l) => l.toFixed(1)).join(" ")}`,
);
log(`${messages} messages per run, published in one burst; latency = publish → received (floor) or → workflow started`);
log("broker    | floor msgs/s | floor p50/p99 ms | durably msgs/s | durably p50/p99 ms");
try {
  for (const kind of brokers) {
    const database = `durably_bench_events_${kind}`;
    await server.recreate(database);
    const f = await floor(kind);
    const d = await durably(kind, server.url(database));
    await server.drop(database);
    log(
      `${kind.padEnd(9)} | ${String(f.perSecond).padStart(12)} | ${`${f.p50} / ${f.p99}`.padStart(16)} | ` +
        `${String(d.perSecond).padStart(14)} | ${`${d.p50} / ${d.p99}`.padStart(18)}`,
    );
  }
} finally {
  await server.stop();
}
log(
  `load at the end: ${(await import("node:os"))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
