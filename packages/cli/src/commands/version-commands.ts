// `durably version list`: the application versions, the live processes serving each, the workflows
// waiting on each, and a warning line when some wait on a version that no live worker serves.
import type { Command } from "commander";
import pc from "picocolors";
import { listApplicationVersions, type ApplicationVersionInfo } from "@durably/core";
import { withClient, type ConnectionOptions } from "../connect-client.js";
import { printJson, printNote, printText } from "../output/print.js";
import { relativeTime } from "../output/relative-time.js";
import { renderTable } from "../output/table.js";

export function registerVersionCommands(program: Command, global: () => ConnectionOptions & { json?: boolean }): void {
  const version = program
    .command("version")
    .alias("versions")
    .description("see the application versions and what serves them");
  version
    .command("list")
    .description(
      "one row per application version, latest first: first launch, live executors, pending and enqueued workflows",
    )
    .option("--all-apps", "every application's versions, not only --app's")
    .addHelpText(
      "after",
      "\nA version is stranded when it has PENDING or ENQUEUED workflows and no live process serves it:\n" +
        "start a worker of that version, list it in a worker's compatibleVersions, or move them to a\n" +
        "version whose code replays them with `durably workflow upgrade --from <old> --to <new>`.",
    )
    .action((flags: { allApps?: boolean }) =>
      withClient(global(), async (client) => {
        const versions = await listApplicationVersions(client, { ownApplicationOnly: flags.allApps !== true });
        if (global().json) return printJson(versions);
        printText(
          renderTable(versions, [
            { header: "VERSION", value: (v) => v.versionName },
            { header: "APP", value: (v) => v.applicationName ?? "-" },
            { header: "FIRST SEEN", value: (v) => (v.firstSeenAt === null ? "-" : relativeTime(v.firstSeenAt)) },
            { header: "LIVE EXECUTORS", value: (v) => String(v.liveExecutors) },
            { header: "PENDING", value: (v) => String(v.pending) },
            { header: "ENQUEUED", value: (v) => String(v.enqueued) },
            { header: "SERVED", value: served, color: (t) => (t.trim() === "STRANDED" ? pc.red(t) : t) },
          ]),
        );
        const warning = strandedWarning(versions);
        if (warning !== undefined) printNote(pc.yellow(warning));
      }),
    );
}

function served(v: ApplicationVersionInfo): string {
  if (v.stranded) return "STRANDED";
  return v.liveExecutors > 0 ? "yes" : "-";
}

/** "N pending workflows of versions X, Y are served by no live worker" and what to do; none if none is stranded. */
export function strandedWarning(versions: readonly ApplicationVersionInfo[]): string | undefined {
  const stranded = versions.filter((v) => v.stranded);
  if (stranded.length === 0) return undefined;
  const count = stranded.reduce((sum, v) => sum + v.pending + v.enqueued, 0);
  return (
    `${count} pending workflows of versions ${stranded.map((v) => v.versionName).join(", ")} ` +
    "are served by no live worker. " +
    "Start a worker of those versions, or move them to one whose code replays them: " +
    "durably workflow upgrade --from <old> --to <new> [--dry-run]."
  );
}
