// A process that finds its executor lease ended (the others judged it lapsed while it stalled)
// stops that lease's runs and carries on under one new lease, however many renewals learn it at once.
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
      await withSql(db.url, (sql) => sql`
        update dbos.durably_executor_leases set ended_at = clock_timestamp(), ended_reason = 'lapsed'
        where pid = ${process.pid} and ended_at is null`);
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
    const leases = await withSql(db.url, (sql) => sql<{ ended_reason: string | null }[]>`
      select ended_reason from dbos.durably_executor_leases where pid = ${process.pid} order by started_at`);
    expect(leases.map((l) => l.ended_reason)).toEqual(["lapsed", null]);
  } finally {
    await shutdown(ctx, { drainMs: 0 });
  }
}, 30_000);
