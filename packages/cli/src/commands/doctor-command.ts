// `durably doctor`: the system database's health at a glance (table sizes, dead tuples, last
// autovacuum, the oldest open transaction, the settings that matter), so trouble shows before it hurts.
import type { Command } from "commander";
import pc from "picocolors";
import { openSystemDatabase } from "@durably/sysdb";
import { readDatabaseHealth, type DatabaseHealth } from "@durably/sysdb/queries";
import { checkReachable, cliConnectTimeoutMs, databaseUrl, type ConnectionOptions } from "../connect-client.js";
import { printJson, printText } from "../output/print.js";
import { relativeTime } from "../output/relative-time.js";
import { renderTable } from "../output/table.js";

/** A table whose dead tuples pass both bounds is bloating faster than autovacuum cleans it. */
const deadRatioWarning = 0.2;
const deadTuplesWarning = 10_000;
/** An open transaction older than this holds back every vacuum on the server. */
const oldTransactionMs = 5 * 60_000;

export function registerDoctorCommand(program: Command, global: () => ConnectionOptions & { json?: boolean }): void {
  program
    .command("doctor")
    .description("the system database's health: table sizes, dead tuples, last autovacuum, oldest open transaction")
    .action(async () => {
      const options = global();
      const target = databaseUrl(options);
      await checkReachable(target);
      const schema = options.schema === undefined ? {} : { schema: options.schema };
      const sysdb = openSystemDatabase({
        url: target.url,
        urlName: target.urlName,
        connectTimeoutMs: cliConnectTimeoutMs,
        retryConnect: false,
        ...target.pooler,
        poolSize: 1,
        ...schema,
      });
      try {
        const health = await readDatabaseHealth(sysdb);
        const warnings = healthWarnings(health);
        if (options.json) return printJson({ ...health, warnings });
        printText(render(health, warnings));
      } finally {
        await sysdb.close();
      }
    });
}

/** What looks wrong, one sentence each with what to do. */
export function healthWarnings(health: DatabaseHealth, now = Date.now()): string[] {
  const warnings: string[] = [];
  for (const t of health.tables) {
    const all = t.liveTuples + t.deadTuples;
    if (t.deadTuples >= deadTuplesWarning && all > 0 && t.deadTuples / all >= deadRatioWarning)
      warnings.push(
        `${t.table}: ${t.deadTuples} dead tuples (${Math.round((100 * t.deadTuples) / all)}%), last autovacuum ` +
          `${t.lastAutovacuum === null ? "never" : relativeTime(new Date(t.lastAutovacuum), now)}: check that ` +
          "autovacuum keeps up (an old open transaction blocks it), or run VACUUM on the table.",
      );
  }
  const old = health.oldestTransaction;
  if (old !== null && old.ageMs >= oldTransactionMs)
    warnings.push(
      `transaction of pid ${old.pid} (${old.database ?? "?"}, ${old.state ?? "?"}) open for ` +
        `${Math.round(old.ageMs / 60_000)} min: it keeps vacuum from removing dead rows; end it ` +
        "(pg_terminate_backend) or set idle_in_transaction_session_timeout.",
    );
  if (health.settings.autovacuum === "off") warnings.push("autovacuum is off: dead rows pile up; turn it on.");
  return warnings;
}

function render(health: DatabaseHealth, warnings: readonly string[]): string {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const when = (ms: number | null) => (ms === null ? "never" : relativeTime(new Date(ms)));
  const tables = renderTable(health.tables, [
    { header: "TABLE", value: (t) => `${health.schema}.${t.table}` },
    { header: "SIZE", value: (t) => mb(t.totalBytes) },
    { header: "INDEXES", value: (t) => mb(t.indexBytes) },
    { header: "LIVE", value: (t) => String(t.liveTuples) },
    { header: "DEAD", value: (t) => String(t.deadTuples) },
    { header: "LAST AUTOVACUUM", value: (t) => when(t.lastAutovacuum) },
    { header: "LAST AUTOANALYZE", value: (t) => when(t.lastAutoanalyze) },
  ]);
  const old = health.oldestTransaction;
  const transaction =
    old === null
      ? "Oldest open transaction: none."
      : `Oldest open transaction: pid ${old.pid} (${old.database ?? "?"}, ${old.applicationName || "?"}, ` +
        `${old.state ?? "?"}), open ${(old.ageMs / 1000).toFixed(1)} s: ${(old.query ?? "").replace(/\s+/g, " ")}`;
  const settings = Object.entries(health.settings)
    .map(([name, value]) => `${name}=${value}`)
    .join("  ");
  const verdict =
    warnings.length === 0 ? pc.green("No problems found.") : warnings.map((w) => pc.yellow(`WARN ${w}`)).join("\n");
  return [tables, "", transaction, `Settings: ${settings}`, "", verdict].join("\n");
}
