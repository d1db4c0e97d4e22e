// `npx durably metrics` once the OpenTelemetry packages its message named are installed: it serves
// the fleet's metrics for Prometheus, read from the system database, until Ctrl-C.
//   node metrics-check.mjs <system database url>  (after workflows ran there within the last 5 minutes)
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { check, deadline } from "./report.mjs";

const [url] = process.argv.slice(2);
if (!url) throw new Error("usage: node metrics-check.mjs <system database url>");
deadline(30_000, "npx durably metrics");

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const child = spawn("node_modules/.bin/durably", ["--db", url, "--json", "metrics", "--port", String(port)], {
  stdio: ["ignore", "pipe", "pipe"],
});
let output = "";
child.stderr.on("data", (d) => (output += d));
const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
try {
  const metricsUrl = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      try {
        resolve(JSON.parse(out).url); // --json prints one JSON object
      } catch {} // not all of it yet
    });
    exited.then((code) => reject(new Error(`durably metrics exited with ${code} before it printed its URL`)));
  });
  const text = await (await fetch(metricsUrl)).text();
  check(
    /^durably_fleet_workflows\{[^}]*durably_workflow_status="SUCCESS"/m.test(text),
    `npx durably metrics serves the fleet's workflows by status at ${metricsUrl}`,
    text.slice(0, 1_000),
  );
} catch (error) {
  check(false, "npx durably metrics", `${error}\n${output}`);
} finally {
  child.kill("SIGINT");
  const code = await exited;
  check(code === 0, "npx durably metrics: Ctrl-C stops it, exit 0", `${code}\n${output}`);
}
