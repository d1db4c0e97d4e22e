// One process of the cross-process tracing tests, exporting its spans to a file:
//   worker <url> <spans> <effects>        serves queue otel-q until SIGTERM
//   client <url> <spans>                  enqueues queuedJob under its own span, waits, prints the span's IDs
//   crash-start|crash-recover <url> <spans> <effects>   runs crashyJob; start hangs in step "third"
import { appendFileSync } from "node:fs";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import {
  createClient,
  createDBOSContext,
  enqueueWorkflow,
  launch,
  registerWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
} from "@durably/core";
import { registerQueue } from "@durably/queues";
import { instrumentDurably } from "@durably/otel";
import { FileSpanExporter } from "./file-span-exporter.mjs";

const [mode, url, spanFile, effectLog] = process.argv.slice(2);
// The application's own OpenTelemetry setup, as any service has it.
const provider = new TracerProvider({
  spanProcessors: [new SimpleSpanProcessor({ exporter: new FileSpanExporter(spanFile) })],
});
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const quiet = { debug() {}, info() {}, warn: (m, f) => console.error(m, f), error: (m, f) => console.error(m, f) };
const effect = (line) => appendFileSync(effectLog, `${line}\n`);

process.on("unhandledRejection", (error) => {
  console.error("unhandled rejection", error);
  process.exit(3);
});

if (mode === "client") {
  const client = await createClient({ systemDatabaseUrl: url, appName: "otel-x", logger: quiet });
  instrumentDurably(client);
  const tracer = trace.getTracer("client-app");
  const request = tracer.startSpan("client request");
  const handle = await context.with(trace.setSpan(context.active(), request), () =>
    enqueueWorkflow(client, "queuedJob", 20, { queue: "otel-q", workflowID: "otel-cross-1" }),
  );
  const result = await handle.getResult({ timeoutMs: 30_000 });
  request.end();
  await shutdown(client);
  await provider.shutdown();
  process.stdout.write(JSON.stringify({ result, ...request.spanContext() }));
} else {
  const worker = mode === "worker";
  const dbos = createDBOSContext({
    appName: "otel-x",
    systemDatabaseUrl: url,
    applicationVersion: "otel-x-v1",
    executorId: worker ? "otel-worker" : "otel-crash",
    logger: quiet,
    pollIntervalMs: 100,
  });
  registerWorkflow(dbos, async function queuedJob(ctx, n) {
    const a = await runAsStep(ctx, async () => n + 1, { name: "first" });
    return runAsStep(ctx, async () => a * 2, { name: "second" });
  });
  const crashy = registerWorkflow(dbos, async function crashyJob(ctx, n) {
    const a = await runAsStep(ctx, async () => n + 1, { name: "first" });
    const b = await runAsStep(ctx, async () => a + 1, { name: "second" });
    return runAsStep(
      ctx,
      async () => {
        effect(`begin third ${process.pid}`);
        if (mode === "crash-start") await new Promise(() => setInterval(() => undefined, 1000)); // killed here
        return b + 1;
      },
      { name: "third" },
    );
  });
  if (worker) await registerQueue(dbos, "otel-q", { pollingIntervalSec: 0.1 });
  instrumentDurably(dbos);
  await launch(dbos);
  if (worker) {
    process.on(
      "SIGTERM",
      () =>
        void shutdown(dbos, { drainMs: 2_000 })
          .then(() => provider.shutdown())
          .then(() => process.exit(0)),
    );
    process.stdout.write("ready\n");
  } else if (mode === "crash-start") {
    const request = trace.getTracer("crash-app").startSpan("crash request");
    await context.with(trace.setSpan(context.active(), request), () =>
      runWorkflow(dbos, crashy, 1, { workflowID: "otel-crash-1" }),
    );
    request.end();
  } else {
    const result = await (await retrieveWorkflow(dbos, "otel-crash-1")).getResult({ timeoutMs: 30_000 });
    await shutdown(dbos);
    await provider.shutdown();
    process.stdout.write(JSON.stringify({ result }));
  }
}
