// Options checked in plain JavaScript, where no compiler sees a typo: an unknown key in the options
// of registerQueue, send, a schedule, instrumentDurably and runWorkflow is a DurablyError
// INVALID_ARGUMENT naming the key, thrown before anything runs.
//   node options.mjs <system database url>
import {
  createDBOSContext,
  DurablyError,
  isDurablyError,
  launch,
  registerWorkflow,
  runWorkflow,
  shutdown,
} from "@durably/core";
import { send } from "@durably/notifications";
import { instrumentDurably } from "@durably/otel";
import { registerQueue } from "@durably/queues";
import { applySchedules } from "@durably/scheduler";
import { check, deadline } from "./report.mjs";

const [url] = process.argv.slice(2);
if (!url) throw new Error("usage: node options.mjs <system database url>");
deadline(15_000, "option checks");

const dbos = createDBOSContext({ appName: "installed-options", systemDatabaseUrl: url });
const report = registerWorkflow(dbos, async () => "sent", { name: "report" });
const calls = [
  ["registerQueue", "workerConcurency", () => registerQueue(dbos, "emails", { workerConcurency: 2 })],
  ["send", "topik", () => send(dbos, "order-42", { paid: true }, { topik: "payment" })],
  [
    "a schedule (applySchedules)",
    "timezon",
    () => applySchedules(dbos, [{ name: "nightly", workflow: report, cron: "0 2 * * *", timezon: "Europe/Berlin" }]),
  ],
  ["instrumentDurably", "tracing", async () => instrumentDurably(dbos, { tracing: true })], // before launch, as it must be
  ["runWorkflow", "workflowId", () => runWorkflow(dbos, report, undefined, { workflowId: "report-1" })],
];
try {
  for (const [what, key, call] of calls) {
    if (what === "runWorkflow") await launch(dbos); // a start before launch is refused for that first
    const error = await call().then(
      () => undefined,
      (e) => e,
    );
    check(
      error instanceof DurablyError && isDurablyError(error, "INVALID_ARGUMENT") && error.message.includes(key),
      `options: ${what} with an unknown key is a DurablyError INVALID_ARGUMENT naming ${key}`,
      error === undefined ? "it was accepted" : `${error?.constructor?.name} ${error?.code}: ${error?.message}`,
    );
  }
} finally {
  await shutdown(dbos);
}
