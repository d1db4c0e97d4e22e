// A real failover: a primary and a streaming standby (Debian's initdb, pg_basebackup -R, pg_ctl
// promote), two workers on a multi-host URL with target_session_attrs=read-write running 300
// workflows with sleeps and messages. The primary is stopped with -m immediate mid-run and the
// standby promoted: every workflow finishes with the right output, no step whose checkpoint
// survived on the new primary runs again, and the time from promotion to progress is reported.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createDBOSContext,
  getWorkflowID,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  sleep,
  type DBOSContext,
  type Workflow,
  type WorkflowHandle,
} from "@durably/core";
import { recv, send } from "@durably/notifications";
import { assertPremise, skipForMissingPremise } from "@durably/testing";
import postgres from "postgres";
import { expect, test } from "vitest";
import { findPostgresBinaries, ThrowawayCluster } from "./support/throwaway-cluster.js";

const binDir = findPostgresBinaries();
const missing = binDir === undefined ? "no initdb/pg_basebackup/pg_ctl (Debian's postgresql package)" : undefined;
const skip = skipForMissingPremise("the failover test", missing);
const total = 300;

test.skipIf(skip)(
  "workers follow a promoted standby: every workflow finishes right, no surviving checkpoint runs again",
  async () => {
    assertPremise(missing);
    const base = await mkdtemp(join(tmpdir(), "durably-failover-"));
    await chmod(base, 0o755); // the clusters run as postgres when this is root
    const clusters: ThrowawayCluster[] = [];
    const workers: DBOSContext[] = [];
    try {
      const primary = await ThrowawayCluster.create({ baseDir: join(base, "primary"), binDir: binDir! });
      clusters.push(primary);
      const admin = postgres(primary.url(), { max: 1, onnotice: () => undefined });
      await admin`create database failover`;
      await admin.end();
      const standby = await ThrowawayCluster.standbyOf(primary, { baseDir: join(base, "standby"), binDir: binDir! });
      clusters.push(standby);
      const url =
        `postgres://postgres@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/failover` +
        "?target_session_attrs=read-write";

      // Each step execution, by `workflow:step`, with when it started.
      const runs = new Map<string, number[]>();
      const flows = new Map<DBOSContext, Workflow<number, string>>();
      for (const executorId of ["w1", "w2"]) {
        const ctx = createDBOSContext({
          appName: "failover",
          applicationVersion: "v1",
          executorId,
          systemDatabaseUrl: url,
          connectTimeoutMs: 30_000,
          leaseRenewMs: 500,
          leaseLapseMs: 3_000,
          logger: { debug() {}, info() {}, warn() {}, error() {} },
        });
        const step = (wctx: DBOSContext, name: string, value: () => number) =>
          runAsStep(
            wctx,
            async () => {
              const key = `${getWorkflowID(wctx)}:${name}`;
              runs.set(key, [...(runs.get(key) ?? []), Date.now()]);
              return value();
            },
            { name },
          );
        flows.set(
          ctx,
          registerWorkflow(
            ctx,
            async (wctx: DBOSContext, n: number) => {
              const a = await step(wctx, "a", () => n * 2);
              await sleep(wctx, 300);
              const message = await recv<string>(wctx, { topic: "go", timeoutMs: 180_000 });
              const b = await step(wctx, "b", () => a + 1);
              return `${n}:${message}:${b}`;
            },
            { name: "failover-flow" },
          ),
        );
        workers.push(ctx);
      }
      await Promise.all(workers.map((ctx) => launch(ctx)));
      const handles: WorkflowHandle<string>[] = [];
      for (let n = 0; n < total; n++) {
        const ctx = workers[n % 2]!;
        handles.push(await runWorkflow(ctx, flows.get(ctx)!, n, { workflowID: `fo-${n}` }));
      }
      const sendWithRetry = async (n: number) => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await send(workers[0]!, `fo-${n}`, `m${n}`, { topic: "go", idempotencyKey: `go-${n}` });
          } catch (error) {
            if (attempt > 100) throw error;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
      };
      // Half get their message before the failover; wait until some have finished.
      await Promise.all(Array.from({ length: total / 2 }, (_, n) => sendWithRetry(n)));
      const watch = postgres(primary.url("failover"), { max: 1, onnotice: () => undefined });
      for (let i = 0; i < 600; i++) {
        const [row] = await watch`select count(*)::int as n from dbos.workflow_status where status = 'SUCCESS'`;
        if (row!.n >= 30) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await watch.end();

      await primary.stopImmediately();
      const stoppedAt = Date.now();
      // What survived: the standby's checkpoints (read-only, before anything can write to it).
      const reader = postgres(standby.url("failover"), { max: 1, onnotice: () => undefined });
      const survived = await reader<{ workflow_uuid: string; function_name: string }[]>`
        select workflow_uuid, function_name from dbos.operation_outputs where function_name in ('a', 'b')`;
      await reader.end();
      await standby.promote();
      const promotedAt = Date.now();

      await Promise.all(Array.from({ length: total / 2 }, (_, n) => sendWithRetry(total / 2 + n)));
      const results = await Promise.all(handles.map((h) => h.getResult({ timeoutMs: 180_000 })));
      expect(results).toEqual(Array.from({ length: total }, (_, n) => `${n}:m${n}:${n * 2 + 1}`));

      const rerun = survived.filter((c) =>
        (runs.get(`${c.workflow_uuid}:${c.function_name}`) ?? []).some((t) => t >= stoppedAt),
      );
      expect(rerun).toEqual([]);
      const firstAfter = Math.min(...[...runs.values()].flat().filter((t) => t >= promotedAt));
      const again = [...runs.values()].filter((times) => times.length > 1).length;
      console.log(
        `failover: ${survived.length} step checkpoints survived on the standby; ` +
          `first step ran ${firstAfter - promotedAt} ms after promotion; ${again} steps ran twice ` +
          "(their checkpoints were lost with the primary or never written)",
      );
      expect(Number.isFinite(firstAfter)).toBe(true);
    } finally {
      for (const ctx of workers) await shutdown(ctx, { drainMs: 0 }).catch(() => undefined);
      for (const cluster of clusters) await cluster.destroy();
      await rm(base, { recursive: true, force: true });
    }
  },
  300_000,
);
