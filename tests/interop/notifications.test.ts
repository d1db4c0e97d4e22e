// Messages, events and streams shared with DBOS 5.3.0's client, in both formats: DBOS's send
// reaches durably's recv; durably's setEvent and writeStream reach DBOS's getEvent and readStream;
// DBOS's fork of a durably workflow copies its events history and stream entries.
import type { DBOSClient } from "@dbos-inc/dbos-sdk";
import { createDBOSContext, launch, registerWorkflow, runWorkflow, shutdown, type DBOSContext } from "@durably/core";
import { closeStream, recv, setEvent, writeStream } from "@durably/notifications";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDBOSClient } from "./support/dbos-client.js";

const db = useTestDatabase({ template: migratedTemplate });
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const when = new Date("2026-02-03T04:05:06.000Z");
const contexts: Record<string, DBOSContext> = {};
const flows: Record<string, ReturnType<typeof registerWorkflow<undefined, unknown>>> = {};
let dbos: DBOSClient;

beforeAll(async () => {
  for (const format of ["js_superjson", "portable_json"] as const) {
    const ctx = createDBOSContext({
      appName: `interop-msg-${format}`,
      systemDatabaseUrl: db.url,
      applicationVersion: "m1",
      logger: quiet,
      pollIntervalMs: 50,
      serializer: format,
    });
    flows[format] = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) => {
        const message = await recv(wctx, { topic: "in", timeoutMs: 30_000 });
        await setEvent(wctx, "got", message);
        for (const n of [1, 2, 3]) await writeStream(wctx, "s", { n });
        await closeStream(wctx, "s");
        return message;
      },
      { name: "inbox" },
    );
    await launch(ctx);
    contexts[format] = ctx;
  }
  dbos = await createDBOSClient(db.url, "interop-msg");
});
afterAll(async () => {
  await dbos?.destroy();
  for (const ctx of Object.values(contexts)) await shutdown(ctx);
});

describe.each([
  ["js_superjson", "native", { at: when, n: 1n }],
  ["portable_json", "portable", { at: when.toISOString(), n: 1 }],
] as const)("%s workers", (format, serializationType, message) => {
  test("DBOS's send reaches recv, and DBOS's getEvent and readStream read what the workflow wrote", async () => {
    const id = `inbox-${format}`;
    const handle = await runWorkflow(contexts[format]!, flows[format]!, undefined, { workflowID: id });
    await dbos.send(id, message, "in", undefined, { serializationType });
    expect(await handle.getResult({ timeoutMs: 15_000 })).toEqual(message);
    expect(await dbos.getEvent(id, "got", 5)).toEqual(message);
    const values: unknown[] = [];
    for await (const value of dbos.readStream(id, "s")) values.push(value);
    expect(values).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  test("DBOS's forkWorkflow past the events and stream copies them (events history, streams), durably runs the rest", async () => {
    const id = `fork-src-${format}`;
    const handle = await runWorkflow(contexts[format]!, flows[format]!, undefined, { workflowID: id });
    await dbos.send(id, message, "in", undefined, { serializationType });
    await handle.getResult({ timeoutMs: 15_000 });
    const steps = (await dbos.listWorkflowSteps(id)) ?? [];
    const close = steps.find((s) => s.name === "DBOS.closeStream");
    expect(close, JSON.stringify(steps.map((s) => s.name))).toBeDefined();
    const forkID = await dbos.forkWorkflow(id, close!.functionID, { newWorkflowID: `fork-${format}` });
    expect(await dbos.retrieveWorkflow(forkID).getResult()).toEqual(message);
    // The fork was not sent a message: its recv, event and stream all come from the copied steps.
    expect(await dbos.getEvent(forkID, "got", 0)).toEqual(message);
    const values: unknown[] = [];
    for await (const value of dbos.readStream(forkID, "s")) values.push(value);
    expect(values).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect((await dbos.listWorkflowSteps(forkID))?.map((s) => s.name)).toEqual(steps.map((s) => s.name));
  });
});
