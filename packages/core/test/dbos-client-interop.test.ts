// DBOS's own client (@dbos-inc/dbos-sdk 5.3.0) reads what durably writes: status, result, steps,
// and its cancel/resume are honoured by durably workers.
import { DBOSClient } from "@dbos-inc/dbos-sdk";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { launch, registerWorkflow, runAsStep, runWorkflow, shutdown, type DBOSContext } from "../src/index.js";
import { migratedTemplate } from "@durably/sysdb";
import { testContext } from "./support/test-context.js";

const db = useTestDatabase({ template: migratedTemplate });
let ctx: DBOSContext;
let client: DBOSClient;
let workflow: ReturnType<
  typeof registerWorkflow<{ when: Date; n: bigint }, { total: bigint; at: Date; tags: Set<string> }>
>;

beforeAll(async () => {
  ctx = testContext(db.url);
  workflow = registerWorkflow(ctx, async function interopOrder(wctx: DBOSContext, input: { when: Date; n: bigint }) {
    const total = await runAsStep(wctx, async () => input.n * 2n, { name: "double" });
    const tags = await runAsStep(wctx, async () => new Set(["a", "b"]), { name: "tag" });
    return { total, at: input.when, tags };
  });
  await launch(ctx);
  client = await DBOSClient.create({ systemDatabaseUrl: db.url });
});
afterAll(async () => {
  await client?.destroy();
  await shutdown(ctx);
});

test("DBOSClient reads a finished durably workflow's status, result and steps", async () => {
  const when = new Date("2026-01-02T03:04:05.000Z");
  await (await runWorkflow(ctx, workflow, { when, n: 21n }, { workflowID: "interop-1" })).getResult();

  const status = await client.getWorkflow("interop-1");
  expect(status?.status).toBe("SUCCESS");
  expect(status?.workflowName).toBe("interopOrder");
  expect(status?.executorId).toBe("local");
  expect(status?.applicationVersion).toBe("v1");

  const result = await client.retrieveWorkflow<{ total: bigint; at: Date; tags: Set<string> }>("interop-1").getResult();
  expect(result).toEqual({ total: 42n, at: when, tags: new Set(["a", "b"]) });

  const steps = await client.listWorkflowSteps("interop-1");
  expect(steps?.map((s) => [s.functionID, s.name, s.output])).toEqual([
    [0, "double", 42n],
    [1, "tag", new Set(["a", "b"])],
  ]);
});
