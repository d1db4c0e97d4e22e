// A thrown error is never refused for its size: over maxPayloadBytes, its long strings are cut with a
// marker (a 100 MB message, a giant cause), so the failure is still recorded, with its name and code.
import { useTestDatabase } from "@durably/testing/vitest";
import { migratedTemplate } from "@durably/sysdb";
import { describe, expect, test } from "vitest";
import {
  defaultMaxPayloadBytes,
  decodeError,
  encodeError,
  type SerializationFormat,
} from "../src/serialization/index.js";
import { launch, registerWorkflow, runAsStep, runWorkflow, shutdown, type DBOSContext } from "../src/index.js";
import { testContext } from "./support/test-context.js";
import { withSql } from "./support/with-sql.js";

const db = useTestDatabase({ template: migratedTemplate });

class ReportError extends Error {
  override name = "ReportError";
  code = "E_REPORT";
}

const bytes = (text: string) => Buffer.byteLength(text, "utf8");
const roundTrip = (text: string, format: SerializationFormat) =>
  decodeError(text, format, "js_superjson", "error") as Error & { code?: unknown };

describe("encodeError over maxPayloadBytes", () => {
  test("a 100 MB message is cut to fit the default limit (64 MiB), marked, name and code kept", () => {
    const message = "m".repeat(100 * 1024 * 1024);
    const error = new ReportError(message);
    // Premise: the error as it stands is over the limit.
    expect(bytes(message)).toBeGreaterThan(defaultMaxPayloadBytes);
    const text = encodeError(error, "js_superjson", "error of step render");
    expect(bytes(text)).toBeLessThanOrEqual(defaultMaxPayloadBytes);
    const back = roundTrip(text, "js_superjson");
    expect([back.name, back.code]).toEqual(["ReportError", "E_REPORT"]);
    expect(back.message.startsWith("mmmm")).toBe(true);
    expect(back.message).toMatch(
      /… \[cut by durably: \d+ more characters; the error was over maxPayloadBytes \(67108864 bytes\)\]$/,
    );
    expect(back.message.length).toBeGreaterThan(1024 * 1024); // cut to fit, not to a stub
  }, 60_000);

  test.each(["js_superjson", "portable_json"] as const)(
    "a giant cause that strings alone cannot shrink falls back to name, code and message (%s)",
    (format) => {
      const cause = Object.assign(new Error("inner"), { data: Array.from({ length: 200_000 }, (_, i) => `item-${i}`) });
      const error = Object.assign(new ReportError("report failed", { cause }), { data: cause.data });
      const limit = 64 * 1024;
      const text = encodeError(error, format, "error of step render", limit);
      expect(bytes(text)).toBeLessThanOrEqual(limit);
      const back = roundTrip(text, format);
      expect([back.name, back.code]).toEqual(["ReportError", "E_REPORT"]);
      expect(back.message).toBe(
        "report failed [fields, stack and cause dropped by durably: the error was over maxPayloadBytes (65536 bytes)]",
      );
    },
  );

  test("an error within the limit is stored exactly as before (no marker)", () => {
    const error = new ReportError("x".repeat(10_000));
    const limit = 64 * 1024;
    for (const format of ["js_superjson", "portable_json"] as const) {
      expect(encodeError(error, format, "error", limit)).toBe(encodeError(error, format, "error"));
      expect(roundTrip(encodeError(error, format, "error", limit), format).message).toBe("x".repeat(10_000));
    }
  });

  test("a thrown huge string is cut too", () => {
    const text = encodeError("s".repeat(200_000), "js_superjson", "error", 16 * 1024);
    expect(bytes(text)).toBeLessThanOrEqual(16 * 1024);
    expect(roundTrip(text, "js_superjson")).toMatch(/^s+… \[cut by durably: \d+ more characters/);
  });
});

test("a step and its workflow that throw a 4 MB error record it cut to maxPayloadBytes, and rethrow it", async () => {
  const ctx: DBOSContext = testContext(db.url, { appName: "big-error-app", maxPayloadBytes: 64 * 1024 });
  let runs = 0;
  const failing = registerWorkflow(ctx, async function failingReport(wctx: DBOSContext) {
    await runAsStep(
      wctx,
      async () => {
        runs++;
        throw new ReportError(`report: ${"r".repeat(4 * 1024 * 1024)}`);
      },
      { name: "render", maxRetries: 0 },
    );
  });
  await launch(ctx);
  try {
    const error = (await (
      await runWorkflow(ctx, failing, undefined, { workflowID: "big-error-1" })
    )
      .getResult()
      .catch((e: unknown) => e)) as ReportError;
    // The caller in this process gets the error as thrown; the rows hold it cut, for every later reader.
    expect([error.name, error.code, error.message.length, runs]).toEqual([
      "ReportError",
      "E_REPORT",
      8 + 4 * 1024 * 1024,
      1,
    ]);
    await withSql(db.url, async (sql) => {
      const [step] = await sql`select error, serialization from dbos.operation_outputs
        where workflow_uuid = 'big-error-1' and function_name = 'render'`;
      const [outcome] = await sql`select s.status, s.serialization, o.error from dbos.workflow_status s
        join dbos.workflow_output o using (workflow_uuid) where workflow_uuid = 'big-error-1'`;
      expect(outcome!.status).toBe("ERROR");
      for (const row of [step!, outcome!]) {
        expect(bytes(row.error)).toBeLessThanOrEqual(64 * 1024);
        const stored = roundTrip(row.error, row.serialization);
        expect([stored.name, stored.code]).toEqual(["ReportError", "E_REPORT"]);
        expect(stored.message).toMatch(/^report: r+… \[cut by durably: \d+ more characters/);
      }
    });
  } finally {
    await shutdown(ctx);
  }
}, 60_000);
