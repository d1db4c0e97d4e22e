// The tests every broker must pass (issue 27), on the real broker: many messages through two worker
// processes under SIGKILLs and a cut connection; a redelivery after the start; a poison message;
// per-key order. A broker that does not answer skips its tests, saying why (CI starts them all).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDBOSContext, type DBOSContext, launch, registerWorkflow, shutdown, type Workflow } from "@durably/core";
import { migratedTemplate } from "@durably/sysdb";
import { skipForMissingPremise } from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Delivery, type EventSource, receiveEvents } from "../../src/index.js";
import { EventsWorkerProcess } from "./events-worker-process.js";
import { TcpProxy } from "./tcp-proxy.js";
import {
  type BrokerKind,
  brokerPorts,
  brokerUnreachable,
  deadLetters,
  openSource,
  publish,
  runNames,
  setUpRun,
  tearDownRun,
  type TestMessage,
  unacked,
} from "./test-broker.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** `count` messages numbered from `from`, keys k0..k4, bodies JSON of { n, key, pad }. */
export function testMessages(from: number, count: number): TestMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const key = `k${n % 5}`;
    return { n, key, body: JSON.stringify({ n, key, pad: `m-${n}` }) };
  });
}

/** Polls `probe` every 100 ms until it returns a value, for at most `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  report: () => Promise<unknown> = async () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} ${JSON.stringify(await report())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function describeBroker(kind: BrokerKind, options: { readonly chaosMessages: number }): void {
  const db = useTestDatabase({ template: migratedTemplate });
  const port = brokerPorts[kind];
  let missing: string | undefined;
  let sql: postgres.Sql;

  beforeAll(async () => {
    missing = await brokerUnreachable(kind);
    sql = postgres(db.url, { max: 2, onnotice: () => undefined });
  });
  afterAll(() => sql?.end());

  /** True (after printing why) when the broker does not answer and this is not CI. */
  const skip = (ctx: { skip: () => void }, name: string) => {
    if (skipForMissingPremise(`${kind}: ${name}`, missing)) ctx.skip();
    if (missing !== undefined) throw new Error(missing);
  };

  /** A launched context in this process whose workflow "inProcess" runs `body`. */
  async function inProcess(
    app: string,
    body: (input: { n: number; key: string }) => Promise<unknown>,
  ): Promise<{ dbos: DBOSContext; workflow: Workflow<{ n: number; key: string }, unknown> }> {
    const dbos = createDBOSContext({
      appName: app,
      systemDatabaseUrl: db.url,
      applicationVersion: "v1",
      logger: quiet,
      pollIntervalMs: 200,
    });
    const workflow = registerWorkflow(dbos, async (_ctx, input: { n: number; key: string }) => body(input), {
      name: "inProcess",
    });
    await launch(dbos);
    return { dbos, workflow };
  }

  const countOf = async (name: string) => {
    const rows = await sql<{ n: number }[]>`select count(*)::int as n from dbos.workflow_status where name = ${name}`;
    return rows[0]!.n;
  };

  describe(`${kind}`, () => {
    test(`${options.chaosMessages} messages, two worker processes, one SIGKILLed 3 times, the connection cut once: ` +
      "one workflow per message, right inputs, nothing left unacked", async (ctx) => {
      skip(ctx, "chaos");
      const n = options.chaosMessages;
      const names = runNames(kind, "c");
      const proxy = new TcpProxy(port);
      const logs = mkdtempSync(join(tmpdir(), `durably-events-${kind}-`));
      const workers: EventsWorkerProcess[] = [];
      let spawned = 0;
      const spawn = async (consumer: string) => {
        const w = new EventsWorkerProcess(
          consumer,
          {
            names,
            port: proxy.port,
            databaseUrl: db.url,
            executorID: `${consumer}-${spawned}`,
            consumer,
            claimIdleMs: 2_000,
          },
          join(logs, `${String(spawned++).padStart(2, "0")}-${consumer}.log`),
        );
        workers.push(w);
        await w.ready();
        return w;
      };
      const started = () => countOf("recordEvent");
      const reach = (target: number, what: string) =>
        waitFor(what, async () => ((await started()) >= target ? true : undefined), 120_000);
      try {
        await proxy.listen();
        await setUpRun(names, port, 2_000);
        const wave = n / 4;
        await publish(names, port, testMessages(0, wave));
        let [victim] = await Promise.all([spawn("a"), spawn("b")]);
        for (let kill = 1; kill <= 3; kill++) {
          const published = kill * wave;
          if (kill === 3) {
            await reach(published - wave + wave / 8, "progress before the cut");
            expect(proxy.cut()).toBeGreaterThan(0);
          }
          await reach(published - wave / 2, `progress before kill ${kill}`);
          await victim!.kill();
          victim = await spawn("a");
          await publish(names, port, testMessages(published, wave));
        }
        await reach(n, `all ${n} workflows started`);
        await waitFor(
          "every workflow finished",
          async () => {
            const [row] = await sql<{ n: number }[]>`select count(*)::int as n from dbos.workflow_status
                where name = 'recordEvent' and status = 'SUCCESS'`;
            return row!.n >= n ? true : undefined;
          },
          120_000,
          async () => [
            await sql`select status, executor_id, recovery_attempts, count(*)::int as n from dbos.workflow_status
              where name = 'recordEvent' group by 1, 2, 3 order by 1, 2, 3`,
            await sql`select coalesce(o.error, w.error) as error, count(*)::int as n from dbos.workflow_status w
              left join dbos.workflow_output o using (workflow_uuid) where w.status = 'ERROR' group by 1 limit 3`,
          ],
        );
        if (kind !== "rabbitmq") {
          await waitFor("nothing unacked", async () => ((await unacked(names, port)) === 0 ? true : undefined), 30_000);
        }
        await Promise.all(workers.map((w) => w.stop()));
        // With no consumer left, RabbitMQ counts its unacked messages as ready again: none may be.
        expect(await unacked(names, port)).toBe(0);

        const rows = await sql<{ workflow_uuid: string; status: string; output: string }[]>`
            select w.workflow_uuid, w.status, coalesce(o.output, w.output) as output from dbos.workflow_status w
            left join dbos.workflow_output o on o.workflow_uuid = w.workflow_uuid where w.name = 'recordEvent'`;
        expect(rows).toHaveLength(n);
        const expected = new Map(testMessages(0, n).map((m) => [m.n, JSON.parse(m.body)]));
        const seen = new Set<number>();
        for (const row of rows) {
          expect(row.status).toBe("SUCCESS");
          expect(row.workflow_uuid.startsWith(`${kind}:`)).toBe(true);
          const output = JSON.parse(row.output) as { n: number };
          expect(output, JSON.stringify(row)).toEqual(expected.get(output?.n));
          seen.add(output.n);
        }
        expect(seen.size).toBe(n);
        expect(await deadLetters(names, port)).toEqual([]);
      } finally {
        for (const w of workers) w.dispose();
        await proxy.close();
        await tearDownRun(names, port).catch(() => undefined);
      }
    }, 240_000);

    test("a message redelivered after its workflow started (ack lost) starts nothing new", async (ctx) => {
      skip(ctx, "redelivery");
      const names = runNames(kind, "r");
      const runs: number[] = [];
      const { dbos, workflow } = await inProcess("events-redelivery", async (input) => runs.push(input.n));
      try {
        await setUpRun(names, port, 1_000);
        await publish(names, port, testMessages(0, 1));
        // The first receiver's ack never reaches the broker.
        const lossy = withDeliveries(await openSource(names, port, { consumer: "first", claimIdleMs: 300 }), (d) => ({
          ...d,
          ack: async () => undefined,
        }));
        const first = await receiveEvents(dbos, lossy, { workflow });
        await waitFor("the first start", async () => (runs.length === 1 ? true : undefined), 30_000);
        await first.stop();
        const seen: number[] = [];
        const watched = withDeliveries(await openSource(names, port, { consumer: "second", claimIdleMs: 300 }), (d) => {
          seen.push(d.message.deliveryCount);
          return d;
        });
        const second = await receiveEvents(dbos, watched, { workflow });
        await waitFor("the redelivery acked", async () => (second.acked === 1 ? true : undefined), 30_000);
        await second.stop();
        // Premise: the broker delivered it again (the first receiver had it: its workflow ran).
        expect(seen.length).toBeGreaterThanOrEqual(1);
        expect(runs).toEqual([0]);
        expect(await countOf("inProcess")).toBe(1);
        expect(await unacked(names, port)).toBe(0);
      } finally {
        await shutdown(dbos);
        await tearDownRun(names, port).catch(() => undefined);
      }
    });

    test("a poison message goes to the dead-letter destination with its reason, and the stream moves on", async (ctx) => {
      skip(ctx, "poison");
      const names = runNames(kind, "p");
      const runs: number[] = [];
      const { dbos, workflow } = await inProcess("events-poison", async (input) => runs.push(input.n));
      try {
        await setUpRun(names, port);
        const poison = { n: 0, key: "k0", body: "{not json" };
        await publish(names, port, [poison, ...testMessages(1, 2)]);
        const receiver = await receiveEvents(dbos, await openSource(names, port), { workflow });
        await waitFor("the good messages started", async () => (runs.length === 2 ? true : undefined), 30_000);
        await waitFor("the dead letter", async () => (receiver.deadLettered === 1 ? true : undefined), 30_000);
        await receiver.stop();
        const dead = await deadLetters(names, port);
        expect(dead).toHaveLength(1);
        expect(dead[0]!.body).toBe(poison.body);
        expect(dead[0]!.reason).toMatch(/^cannot decode the message: SyntaxError/);
        expect(runs.sort()).toEqual([1, 2]);
        expect(await unacked(names, port)).toBe(0);
      } finally {
        await shutdown(dbos);
        await tearDownRun(names, port).catch(() => undefined);
      }
    });

    test("with orderByKey, messages of one key run one after another in publish order", async (ctx) => {
      skip(ctx, "order");
      const names = runNames(kind, "o");
      const events: Array<{ n: number; key: string; at: "start" | "end" }> = [];
      const { dbos, workflow } = await inProcess("events-order", async (input) => {
        events.push({ ...input, at: "start" });
        await new Promise((r) => setTimeout(r, 30 + ((input.n * 7) % 20)));
        events.push({ ...input, at: "end" });
      });
      try {
        await setUpRun(names, port);
        const messages = testMessages(0, 40);
        await publish(names, port, messages);
        const sizes: number[] = [];
        const source = await openSource(names, port);
        const counted: EventSource = {
          name: source.name,
          fetch: async (max, signal) => {
            const batch = await source.fetch(max, signal);
            sizes.push(batch.length);
            return batch;
          },
          close: () => source.close(),
        };
        const receiver = await receiveEvents(dbos, counted, {
          workflow,
          batchSize: 12,
          orderByKey: true,
          orderKey: (_m, input) => input.key,
        });
        // An ordered message is acked once its workflow ended: wait for the 40 acks, not only the 40 ends.
        await waitFor("40 acks", async () => (receiver.acked === 40 ? true : undefined), 60_000);
        await receiver.stop();
        for (const key of ["k0", "k1", "k2", "k3", "k4"]) {
          const ofKey = events.filter((e) => e.key === key).map((e) => `${e.at}:${e.n}`);
          const expected = messages.filter((m) => m.key === key).flatMap((m) => [`start:${m.n}`, `end:${m.n}`]);
          expect(ofKey).toEqual(expected);
        }
        // Premises: batches held several messages, and keys did run side by side (else order held trivially).
        expect(Math.max(...sizes)).toBeGreaterThan(1);
        const running = new Set<string>();
        let sideBySide = 0;
        for (const e of events) {
          if (e.at === "end") running.delete(e.key);
          else if (running.add(e.key).size > 1) sideBySide++;
        }
        expect(sideBySide).toBeGreaterThan(0);
        expect(await unacked(names, port)).toBe(0);
      } finally {
        await shutdown(dbos);
        await tearDownRun(names, port).catch(() => undefined);
      }
    });
  });
}

/** The source with each delivery passed through `change` (to lose an ack, or watch deliveries). */
function withDeliveries(source: EventSource, change: (d: Delivery) => Delivery): EventSource {
  return {
    name: source.name,
    fetch: async (max, signal) => (await source.fetch(max, signal)).map(change),
    close: () => source.close(),
  };
}
