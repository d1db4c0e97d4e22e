// Runs two-steps.mjs, SIGKILLs it during its durable sleep, runs it again and checks that it
// resumed: the workflow finishes and its first step did not run a second time.
//   node kill-resume.mjs <system database url>
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import postgres from "@durably/sysdb/postgres";

const [url] = process.argv.slice(2);
if (!url) throw new Error("usage: node kill-resume.mjs <system database url>");
const workflowID = `kill-resume-${randomUUID()}`;
const marker = `${workflowID}.steps`;
const sleepMs = 10_000;
const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });

const running = new Set(); // apps to kill if this check fails midway, so none outlives it

function fail(message) {
  for (const child of running) child.kill("SIGKILL");
  console.log(`FAIL kill during a durable sleep, then resume: ${message}`);
  process.exit(1);
}
const stepsRun = () => readFileSync(marker, "utf8");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the app; `exited` resolves with how it ended, and `output` collects its stdout and stderr. */
function startApp() {
  const child = spawn(process.execPath, ["two-steps.mjs", workflowID, marker, String(sleepMs)], {
    env: { ...process.env, DBOS_SYSTEM_DATABASE_URL: url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const app = { child, output: "", exit: undefined };
  child.stdout.on("data", (d) => (app.output += d));
  child.stderr.on("data", (d) => (app.output += d));
  app.exited = new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve((app.exit = { code, signal }));
    }),
  );
  return app;
}

async function within(ms, promise, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

try {
  writeFileSync(marker, "");
  const first = startApp();
  // Kill once the sleep's checkpoint (its wake-up time) is in the database (bounded wait).
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (first.exit) fail(`the first run exited (${JSON.stringify(first.exit)}) before its sleep:\n${first.output}`);
    const [row] = await sql`
      select count(*)::int as n from dbos.operation_outputs
      where workflow_uuid = ${workflowID} and function_name = 'DBOS.sleep'
    `.catch(() => [{ n: 0 }]); // the schema may not exist until the app's launch migrated it
    if (row.n > 0) break;
    if (Date.now() > deadline) fail(`the sleep's checkpoint did not appear within 60 s:\n${first.output}`);
    await sleep(100);
  }
  first.child.kill("SIGKILL");
  const killed = await within(10_000, first.exited, "the killed app's exit");
  if (killed.signal !== "SIGKILL") fail(`the first run was not killed by SIGKILL: ${JSON.stringify(killed)}`);
  // Killed between the steps: the sleep had not ended, so the second step never ran.
  if (stepsRun() !== "step 1\n") fail(`after the kill, the steps run were ${JSON.stringify(stepsRun())}, not step 1`);
  const [{ status }] = await sql`select status from dbos.workflow_status where workflow_uuid = ${workflowID}`;
  if (status !== "PENDING") fail(`after the kill the workflow is ${status}, not PENDING`);

  const second = startApp();
  const resumed = await within(sleepMs + 60_000, second.exited, "the second run").catch((error) => fail(error.message));
  if (resumed.code !== 0) fail(`the second run exited with ${JSON.stringify(resumed)}:\n${second.output}`);
  if (!second.output.includes(`result: done ${workflowID}`)) fail(`no result from the second run:\n${second.output}`);
  if (stepsRun() !== "step 1\nstep 2\n") fail(`steps run overall: ${JSON.stringify(stepsRun())}, not each once`);
  console.log(`PASS kill during a durable sleep, then resume: died by SIGKILL, resumed, step 1 ran once`);
  console.log(`workflow ${workflowID}`);
} finally {
  await sql.end({ timeout: 1 });
}
