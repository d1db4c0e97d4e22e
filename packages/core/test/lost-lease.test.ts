// A process that finds its executor lease ended (the others judged it lapsed while it stalled)
// stops that lease's runs, those whose start was in flight too, and carries on under one new lease,
// however many renewals learn it at once.
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";
import { launch, registerWorkflow, runAsStep, runWorkflow, shutdown, type DBOSContext } from "../src/index.js";
import { recordingLogger, testContext } from "./support/test-context.js";
import { withSql } from "./support/with-sql.js";

const db = useTestDatabase({ template: migratedTemplate });

test("a lost lease is replaced once when a step's check and the renewal round both find it ended", async () => {
  const logger = recordingLogger();
  const ctx = testContext(db.url, { appName: "lost-lease", logger, leaseRenewMs: 100, leaseLapseMs: 300 });
  const stalls: number[] = [];
  const wf = registerWorkflow(ctx, async function stallsOnce(c: DBOSContext) {
    await runAsStep(c, async () => 1, { name: "before" });
    if (stalls.length === 0) {
      // The others judge this process's lease lapsed, then it stalls past the lapse (GC pause, SIGSTOP)...
      await withSql(
        db.url,
        (sql) => sql`
        update dbos.durably_executor_leases set ended_at = clock_timestamp(), ended_reason = 'lapsed'
        where pid = ${process.pid} and ended_at is null`,
      );
      const until = performance.now() + 400;
      while (performance.now() < until); // the renewal round comes due meanwhile
      stalls.push(Date.now());
    }
    // ...and on waking, this step's freshness check and the due round both renew the ended lease.
    return runAsStep(c, async () => 2, { name: "after" });
  });
  await launch(ctx);
  try {
    const handle = await runWorkflow(ctx, wf, undefined, { workflowID: "stalls-once" });
    // The run under the lost lease stops; this process adopts it under its new lease and finishes it.
    expect(await handle.getResult({ timeoutMs: 20_000 })).toBe(2);
    expect(stalls).toHaveLength(1);
    const lost = logger.lines.filter((l) => l.message.startsWith("executor lease lapsed"));
    expect(lost).toHaveLength(1);
    const leases = await withSql(
      db.url,
      (sql) => sql<{ ended_reason: string | null }[]>`
      select ended_reason from dbos.durably_executor_leases where pid = ${process.pid} order by started_at`,
    );
    expect(leases.map((l) => l.ended_reason)).toEqual(["lapsed", null]);
  } finally {
    await shutdown(ctx, { drainMs: 0 });
  }
}, 30_000);

test("a workflow whose start was in flight when the lease was lost stops before its first step", async () => {
  const logger = recordingLogger();
  const ctx = testContext(db.url, { appName: "lost-start", logger, leaseRenewMs: 100, leaseLapseMs: 300 });
  const logged = (message: string) => logger.lines.some((l) => l.message.startsWith(message));
  const until = async (what: string, done: () => boolean) => {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
    if (!done()) throw new Error(`timed out waiting for ${what}`);
  };
  let executions = 0;
  const wf = registerWorkflow(ctx, async function oneStep(c: DBOSContext) {
    return runAsStep(
      c,
      async () => {
        executions++;
        // A run of the lost lease that got this far would now race its adopter.
        await until("the adoption", () => logged("adopted workflows of executors whose lease ended"));
        return 1;
      },
      { name: "s" },
    );
  });
  await launch(ctx);
  try {
    const handle = await withSql(db.url, async (sql) => {
      let starting: Promise<unknown> | undefined;
      await sql.begin(async (tx) => {
        // The start's insert waits behind this lock, its owner token already drawn from the lease...
        await tx`lock table dbos.workflow_status in share mode`;
        starting = runWorkflow(ctx, wf, undefined, { workflowID: "started-late" });
        // ...while the lease is judged lapsed and the process learns it at its next renewal.
        await withSql(
          db.url,
          (other) => other`
          update dbos.durably_executor_leases set ended_at = clock_timestamp(), ended_reason = 'lapsed'
          where pid = ${process.pid} and ended_at is null`,
        );
        await until("the lost lease", () => logged("executor lease lapsed"));
      });
      return (await starting) as Awaited<ReturnType<typeof runWorkflow>>;
    });
    expect(await handle.getResult({ timeoutMs: 20_000 })).toBe(1);
    expect(executions).toBe(1);
  } finally {
    await shutdown(ctx, { drainMs: 0 });
  }
}, 30_000);

test("a workflow started while the new lease is being registered names a registered lease", async () => {
  const logger = recordingLogger();
  const ctx = testContext(db.url, { appName: "lost-replacing", logger, leaseRenewMs: 100, leaseLapseMs: 300 });
  const logged = (message: string) => logger.lines.some((l) => l.message.startsWith(message));
  let executions = 0;
  const wf = registerWorkflow(ctx, async function counted(c: DBOSContext) {
    return runAsStep(c, async () => ++executions, { name: "s" });
  });
  await launch(ctx);
  // The successor's registration takes 1.5 s: a start in that window must not name it yet, for to
  // the other processes' adoption a row naming a lease absent from the table is orphaned.
  await withSql(db.url, async (sql) => {
    await sql.unsafe(`create function pg_temp_slow_lease() returns trigger language plpgsql as
      $$ begin perform pg_sleep(1.5); return new; end $$`);
    await sql.unsafe(`create trigger slow_lease before insert on dbos.durably_executor_leases
      for each row execute function pg_temp_slow_lease()`);
  });
  try {
    await withSql(
      db.url,
      (sql) => sql`
      update dbos.durably_executor_leases set ended_at = clock_timestamp(), ended_reason = 'lapsed'
      where pid = ${process.pid} and ended_at is null`,
    );
    for (let i = 0; i < 100 && !logged("executor lease lapsed"); i++) await new Promise((r) => setTimeout(r, 20));
    expect(logged("executor lease lapsed")).toBe(true);
    const handle = await runWorkflow(ctx, wf, undefined, { workflowID: "started-while-replacing" });
    const [row] = await withSql(
      db.url,
      (sql) => sql<{ registered: boolean }[]>`
      select exists (select 1 from dbos.durably_executor_leases l where l.lease_id = split_part(w.owner_xid, '.', 1))
        as registered
      from dbos.workflow_status w where w.workflow_uuid = 'started-while-replacing'`,
    );
    expect(row?.registered).toBe(true);
    // The run under the lost lease stops before its step; this process adopts the row and runs it once.
    expect(await handle.getResult({ timeoutMs: 20_000 })).toBe(1);
    expect(executions).toBe(1);
  } finally {
    await withSql(db.url, async (sql) => {
      await sql.unsafe("drop trigger if exists slow_lease on dbos.durably_executor_leases");
      await sql.unsafe("drop function if exists pg_temp_slow_lease()");
    });
    await shutdown(ctx, { drainMs: 0 });
  }
}, 30_000);
