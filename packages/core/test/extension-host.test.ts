// The ExtensionHost: one per context, per-context extension state, the workflow a context belongs to.
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";
import { launch, registerWorkflow, runWorkflow, shutdown } from "../src/index.js";
import { extensionHost } from "../src/extension-kit.js";
import { testContext } from "./support/test-context.js";

const db = useTestDatabase({ template: migratedTemplate });

test("each context has one host and its own extension state; workflowOf names the running workflow", async () => {
  const a = testContext(db.url, { appName: "host-a" });
  const b = testContext(db.url, { appName: "host-b" });
  const key = {};
  expect(extensionHost(a)).toBe(extensionHost(a));
  expect(extensionHost(a).extensionState(key)).toBeUndefined();
  const stateA = extensionHost(a).extensionState(key, () => ({ n: 1 }));
  expect(extensionHost(a).extensionState(key)).toBe(stateA);
  expect(extensionHost(b).extensionState(key, () => ({ n: 2 }))).toEqual({ n: 2 });
  expect(extensionHost(a).workflowOf(a)).toBeUndefined();
  expect(extensionHost(a).appName).toBe("host-a");

  const seen = registerWorkflow(a, async (ctx) => extensionHost(ctx).workflowOf(ctx), { name: "seen" });
  await launch(a);
  try {
    expect(extensionHost(a).workflowNames()).toEqual(["seen"]);
    expect(extensionHost(a).executorIdentity().applicationName).toBe("host-a");
    const handle = await runWorkflow(a, seen, undefined, { workflowID: "host-wf" });
    expect(await handle.getResult()).toEqual({ workflowID: "host-wf", format: "js_superjson" });
  } finally {
    await shutdown(a);
  }
});

test("extensionHost refuses what is not a context", () => {
  expect(() => extensionHost({} as never)).toThrow(/INVALID_ARGUMENT|Expected a DBOSContext/);
});
