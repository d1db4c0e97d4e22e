// `npx durably dashboard` as a user gets it: the CLI and @durably/dashboard installed from their
// tarballs serve the built UI that ships in the package (nothing is built at install or start).
// argv: the system database URL, a workflow ID that exists there. Prints PASS/FAIL lines; exits 1 on a FAIL.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

const [url, workflowID] = process.argv.slice(2);
let failed = 0;
const check = (ok, what, detail = "") => {
  console.log(`${ok ? "PASS" : "FAIL"} ${what}${ok || detail === "" ? "" : `: ${detail}`}`);
  if (!ok) failed++;
};

// The UI's build tools are the package's devDependencies: a user's install has none of them.
const tools = ["vite", "react", "react-dom", "recharts", "playwright-core"].filter((n) =>
  existsSync(`node_modules/${n}`),
);
check(tools.length === 0, "the dashboard installs without its UI build tools", tools.join(", "));

const child = spawn("node_modules/.bin/durably", ["--db", url, "--json", "dashboard", "--port", "0"], {
  stdio: ["ignore", "pipe", "inherit"],
});
const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
try {
  const base = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      try {
        resolve(JSON.parse(out).url); // --json prints one JSON object (over several lines)
      } catch {} // not all of it yet
    });
    child.once("exit", (code) => reject(new Error(`durably dashboard exited with ${code} before it printed its URL`)));
  });
  check(/^http:\/\/127\.0\.0\.1:\d+\/$/.test(base), "npx durably dashboard starts on loopback", base);
  const page = await fetch(base);
  const html = await page.text();
  const script = /<script type="module"[^>]* src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
  check(
    page.status === 200 && html.includes('<div id="root">') && script !== undefined,
    "GET / is the app's HTML",
    html,
  );
  const asset = await fetch(new URL(script ?? "assets/missing.js", base));
  const js = await asset.text();
  check(
    asset.status === 200 && asset.headers.get("content-type")?.startsWith("text/javascript") && js.length > 100_000,
    `GET /${script} is the built app (${Math.round(js.length / 1024)} KiB of JavaScript)`,
    `${asset.status} ${asset.headers.get("content-type")}`,
  );
  const config = await (await fetch(new URL("api/config", base))).json();
  check(config.readOnly === false && config.redact === false, "GET /api/config answers", JSON.stringify(config));
  const list = await (await fetch(new URL("api/workflows", base))).json();
  check(
    list.workflows?.some((w) => w.workflowID === workflowID && w.status === "SUCCESS"),
    `GET /api/workflows lists ${workflowID} SUCCESS`,
    JSON.stringify(list).slice(0, 400),
  );
} catch (error) {
  check(false, "npx durably dashboard", String(error));
} finally {
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  child.kill("SIGINT");
  const code = await exited;
  clearTimeout(timer);
  check(code === 0, "Ctrl-C stops it, exit 0", String(code));
}
process.exit(failed === 0 ? 0 : 1);
