// The dashboard under test, in a process of its own so the bench can time any build of it (an A/B
// against another checkout: --dashboard-dir). argv: the dashboard package's directory, the database
// URL. Prints the server's URL, then serves until stdin closes.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dir, url] = process.argv.slice(2);
const load = (path) => import(pathToFileURL(join(dir, path)).href);
const core = await load("node_modules/@durably/core/dist/index.js");
const { startDashboardServer } = await load("dist/index.js");
const quiet = { debug() {}, info() {}, warn() {}, error: (m) => process.stderr.write(`${m}\n`) };
const client = await core.createClient({ systemDatabaseUrl: url, appName: "bench", logger: quiet });
const server = await startDashboardServer(client, { port: 0 });
process.stdout.write(`${server.url}\n`);
process.stdin.resume();
process.stdin.on("end", async () => {
  await server.close();
  await core.shutdown(client);
  process.exit(0);
});
