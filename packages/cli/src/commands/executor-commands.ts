// `durably executor list`: the fleet's processes, one per executor lease, and the workflows each owns.
import type { Command } from "commander";
import pc from "picocolors";
import { listExecutors, type ExecutorState, type ListExecutorsOptions } from "@durably/core";
import { usage } from "../cli-failure.js";
import { withClient, type ConnectionOptions } from "../connect-client.js";
import { parseCount } from "../parse-count.js";
import { printJson, printText } from "../output/print.js";
import { relativeTime } from "../output/relative-time.js";
import { renderTable } from "../output/table.js";

const states: readonly ExecutorState[] = ["live", "lapsed", "released", "replaced"];

interface ListFlags {
  readonly state?: string[];
  readonly limit?: string;
  readonly allApps?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerExecutorCommands(program: Command, global: () => ConnectionOptions & { json?: boolean }): void {
  const executor = program.command("executor").alias("executors").description("see the processes that run workflows");
  executor
    .command("list")
    .description("one row per process (executor lease), newest first: live, lapsed, released or replaced")
    .option("--state <state>", "live, lapsed, released or replaced (repeat or comma-separate)", collect)
    .option("--limit <n>", "at most this many")
    .option("--all-apps", "every application's executors, not only --app's")
    .addHelpText(
      "after",
      "\nA lapsed process stopped renewing its lease (killed, paused, cut off): the live processes of its\n" +
        "application adopt its workflows. They forget an ended lease six lapses later (a minute by default).",
    )
    .action((flags: ListFlags) =>
      withClient(global(), async (client) => {
        const executors = await listExecutors(client, toListOptions(flags));
        if (global().json) return printJson(executors);
        printText(
          renderTable(executors, [
            { header: "EXECUTOR ID", value: (e) => e.executorID },
            { header: "STATE", value: (e) => e.state, color: colorState },
            { header: "APP", value: (e) => e.applicationName },
            { header: "VERSION", value: (e) => e.applicationVersion },
            { header: "HOST", value: (e) => e.hostname },
            { header: "PID", value: (e) => String(e.pid) },
            { header: "STARTED", value: (e) => relativeTime(e.startedAt) },
            { header: "RENEWED", value: (e) => relativeTime(e.renewedAt) },
            { header: "WORKFLOWS", value: (e) => String(e.workflowsOwned) },
            { header: "LEASE", value: (e) => e.leaseID },
          ]),
        );
      }),
    );
}

function toListOptions(flags: ListFlags): ListExecutorsOptions {
  const state = flags.state?.flatMap((s) => s.split(",")).map((s) => s.trim().toLowerCase());
  for (const s of state ?? []) {
    if (!states.includes(s as ExecutorState)) throw usage(`Unknown state ${s}: use one of ${states.join(", ")}.`);
  }
  return {
    ...(state === undefined ? {} : { state: state as ExecutorState[] }),
    ...(flags.limit === undefined ? {} : { limit: parseCount(flags.limit, "--limit") }),
    ownApplicationOnly: flags.allApps !== true,
  };
}

/** Green live, red lapsed (its workflows wait for adoption), grey ended on purpose. */
function colorState(text: string): string {
  const state = text.trim();
  if (state === "live") return pc.green(text);
  if (state === "lapsed") return pc.red(text);
  return pc.gray(text);
}
