// Trace context that lasts, across real processes exporting their spans to files: a client's
// enqueue and the worker's run are one trace; a run recovered after SIGKILL is a new trace linked to
// the original, with no spans for the steps it replays.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SpanKind } from "@opentelemetry/api";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";

const db = useTestDatabase({ template: migratedTemplate });
const script = fileURLToPath(new URL("./support/otel-process.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "durably-otel-"));

interface ExportedSpan {
  pid: number;
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
}

function start(mode: string, spanFile: string, effectLog = join(dir, "effects.log")) {
  const child = spawn(process.execPath, [script, mode, db.url, spanFile, effectLog], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}

function read(file: string): ExportedSpan[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as ExportedSpan);
}

async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode === null) child.kill("SIGTERM");
  await exited;
}

test("a workflow enqueued by a client process and run by a worker process is one trace", async () => {
  const workerSpans = join(dir, "worker.jsonl");
  const clientSpans = join(dir, "client.jsonl");
  const worker = start("worker", workerSpans);
  try {
    await expect.poll(() => worker.output().stdout, { timeout: 30_000 }).toContain("ready");
    const client = start("client", clientSpans);
    expect(await client.exited, client.output().stderr).toEqual({ code: 0, signal: null });
    const request = JSON.parse(client.output().stdout) as { result: number; traceId: string; spanId: string };
    expect(request.result).toBe(42);
    await expect.poll(() => read(workerSpans).length, { timeout: 10_000 }).toBe(3);

    const [producer, ...otherClientSpans] = read(clientSpans).filter((s) => s.name !== "client request");
    expect(otherClientSpans).toEqual([]);
    expect(producer).toMatchObject({
      name: "send otel-q",
      kind: SpanKind.PRODUCER,
      traceId: request.traceId,
      parentSpanId: request.spanId,
      attributes: {
        "messaging.operation.type": "send",
        "messaging.destination.name": "otel-q",
        "messaging.message.id": "otel-cross-1",
        "dbos.queue.name": "otel-q",
        "dbos.operation.workflow_id": "otel-cross-1",
      },
    });
    const spans = read(workerSpans);
    const run = spans.find((s) => s.name === "queuedJob")!;
    // Premise: the run was in the other process.
    expect(run.pid).not.toBe(JSON.parse(readFileSync(clientSpans, "utf8").split("\n")[0]!).pid);
    expect(run).toMatchObject({
      kind: SpanKind.CONSUMER,
      traceId: request.traceId,
      parentSpanId: producer!.spanId,
      attributes: {
        "messaging.operation.type": "process",
        "messaging.destination.name": "otel-q",
        "messaging.message.id": "otel-cross-1",
        "dbos.operation.workflow_id": "otel-cross-1",
        "dbos.executor.id": "otel-worker",
        "dbos.application.version": "otel-x-v1",
        "durably.run.origin": "dequeued",
      },
    });
    for (const step of ["first", "second"]) {
      expect(spans.find((s) => s.name === step)).toMatchObject({ traceId: request.traceId, parentSpanId: run.spanId });
    }
  } finally {
    await stop(worker.child, worker.exited);
  }
});

test("a run recovered after SIGKILL is a new trace linked to the original, with no spans for replayed steps", async () => {
  const firstSpans = join(dir, "crash-first.jsonl");
  const secondSpans = join(dir, "crash-second.jsonl");
  const effects = join(dir, "crash-effects.log");
  const first = start("crash-start", firstSpans, effects);
  await expect
    .poll(() => (existsSync(effects) ? readFileSync(effects, "utf8") : ""), { timeout: 30_000 })
    .toContain("begin third");
  first.child.kill("SIGKILL");
  // Premise: the first process died of the SIGKILL inside step "third".
  expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });
  // The run's own span never ended (killed); its finished steps name it as their parent.
  const before = read(firstSpans).filter((s) => s.name !== "crash request");
  expect(before.map((s) => s.name).sort()).toEqual(["first", "second"]);
  const originalTrace = before[0]!.traceId;
  const originalRunSpanId = before[0]!.parentSpanId;
  expect(read(firstSpans).find((s) => s.name === "crash request")?.traceId).toBe(originalTrace);

  const second = start("crash-recover", secondSpans, effects);
  expect(await second.exited, second.output().stderr).toEqual({ code: 0, signal: null });
  expect(JSON.parse(second.output().stdout)).toEqual({ result: 4 });
  const after = read(secondSpans);
  // Only the step that runs again has a span: "first" and "second" replay from their checkpoints.
  expect(after.map((s) => s.name).sort()).toEqual(["crashyJob", "third"]);
  const run = after.find((s) => s.name === "crashyJob")!;
  expect(run.traceId).not.toBe(originalTrace);
  expect(run.parentSpanId).toBeUndefined();
  expect(run.links).toEqual([{ traceId: originalTrace, spanId: originalRunSpanId }]);
  expect(run.attributes).toMatchObject({
    "durably.run.origin": "recovered",
    "durably.run.replayed_steps": 2,
    "dbos.operation.workflow_id": "otel-crash-1",
  });
  expect(after.find((s) => s.name === "third")?.parentSpanId).toBe(run.spanId);
});
