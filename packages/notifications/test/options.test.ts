// Options of send, recv, getEvent and readStream refuse unknown keys and bad numbers with a typed
// error naming the option, before anything is sent or awaited (JavaScript callers: `as any`).
import { failureOf } from "@durably/testing";
import { isDurablyError, launch, registerWorkflow, runWorkflow, shutdown, type DBOSContext } from "@durably/core";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { getEvent, readStream, recv, send } from "../src/index.js";
import { migratedTemplate } from "@durably/sysdb";
import { testContext, withSysdb } from "./support/notifications-test-context.js";

const db = useTestDatabase({ template: migratedTemplate });
// Lets a test pass what the types forbid, so it reaches the runtime checks.
const any = (value: unknown) => value as any;

/** `CODE: message` of what `fn` threw or rejected with. */
const failure = (fn: () => unknown) => failureOf(fn, isDurablyError, "DurablyError");

let ctx: DBOSContext;
let receiver: ReturnType<typeof registerWorkflow<unknown, unknown>>;

beforeAll(async () => {
  ctx = testContext(db.url, "notify-options", "o-v1");
  receiver = registerWorkflow(
    ctx,
    async (wctx: DBOSContext) => recv(wctx, any({ topic: "t", timeoutMs: 100, timeOut: 5 })),
    { name: "receiver" },
  );
  await launch(ctx);
});
afterAll(() => shutdown(ctx));

test(
  "send: a misspelled idempotency key is refused and " + "nothing is sent (it was ignored: no exactly-once)",
  async () => {
    const target = await runWorkflow(ctx, receiver, undefined, { workflowID: "no-send-target" });
    await target.getResult().catch(() => undefined);
    expect(await failure(() => send(ctx, "no-send-target", "m", any({ idempotencykey: "k" })))).toMatch(
      new RegExp(
        /^INVALID_ARGUMENT: send: unknown option idempotencykey \(did you mean idempotencyKey\?\); /.source +
          /the accepted options are topic, idempotencyKey\./.source,
      ),
    );
    const rows = await withSysdb(
      db.url,
      (sysdb) => sysdb.sql`select count(*)::int as n from dbos.notifications where destination_uuid = 'no-send-target'`,
    );
    expect(rows[0]!.n).toBe(0);
  },
);

test("recv inside a workflow: an unknown key fails the workflow with INVALID_ARGUMENT, not a TIMEOUT", async () => {
  const handle = await runWorkflow(ctx, receiver, undefined, { workflowID: "bad-recv" });
  expect(await failure(() => handle.getResult())).toMatch(
    /^INVALID_ARGUMENT: recv: unknown option timeOut \(did you mean timeoutMs\?\)/,
  );
});

test("getEvent and readStream: unknown keys and bad numbers", async () => {
  expect(await failure(() => getEvent(ctx, "w", "k", any({ timeoutMs: 0, timeout: 5 })))).toMatch(
    /getEvent: unknown option timeout \(did you mean timeoutMs\?\)/,
  );
  expect(await failure(() => getEvent(ctx, "w", "k", { timeoutMs: Number.NaN }))).toMatch(
    /getEvent: timeoutMs must be a finite number >= 0, got NaN/,
  );
  expect(await failure(() => readStream(ctx, "w", "k", any({ offset: 3 })).next())).toMatch(
    /readStream: unknown option offset \(did you mean fromOffset\?\)/,
  );
  expect(await failure(() => readStream(ctx, "w", "k", { pollMs: 0 }).next())).toMatch(
    /readStream: pollMs must be a finite number > 0, got 0/,
  );
  expect(await failure(() => readStream(ctx, "w", "k", any({ timeoutMs: "5s" })).next())).toMatch(
    /readStream: timeoutMs must be a finite number >= 0, got "5s"/,
  );
});
