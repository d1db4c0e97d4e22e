// `durably workflow ...`: list, inspect, cancel, resume, fork, upgrade and garbage-collect workflows.
import type { Command } from "commander";
import pc from "picocolors";
import {
  cancelWorkflows,
  forkWorkflow,
  garbageCollectWorkflows,
  getWorkflowSteps,
  isDurablyError,
  listWorkflows,
  resumeWorkflows,
  type DBOSContext,
  type StepInfo,
  type WorkflowStatus,
} from "@durably/core";
import { CliFailure, usage } from "../cli-failure.js";
import { withClient, type ConnectionOptions } from "../connect-client.js";
import { parseCount } from "../parse-count.js";
import { parseDuration } from "../parse-duration.js";
import { brief, printJson, printText } from "../output/print.js";
import { relativeTime } from "../output/relative-time.js";
import { stepOutput } from "../output/step-output.js";
import { colorStatus, renderTable } from "../output/table.js";
import { toListOptions, type FilterFlags } from "../workflow-filter.js";
import { registerWorkflowUpgradeCommand } from "./workflow-upgrade-command.js";

interface Global extends ConnectionOptions {
  readonly json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function filterOptions(command: Command): Command {
  return command
    .option(
      "--status <status>",
      "PENDING, ENQUEUED, DELAYED, SUCCESS, ERROR, CANCELLED or MAX_RECOVERY_ATTEMPTS_EXCEEDED (repeat or " +
        "comma-separate)",
      collect,
    )
    .option("--name <name>", "workflow name")
    .option("--queue <queue>", "queue name")
    .option("--app-version <version>", "application version")
    .option("--prefix <prefix>", "workflow ID prefix")
    .option("--executor <id>", "executor ID (repeatable)", collect)
    .option("--created-after <time>", "ISO time, or a duration ago such as 2h")
    .option("--created-before <time>", "ISO time, or a duration ago such as 30m")
    .option("--limit <n>", "at most this many (default 50)")
    .option("--offset <n>", "skip this many")
    .option("--asc", "oldest first (default: newest first)")
    .option("--all-apps", "every application's workflows, not only --app's");
}

export function registerWorkflowCommands(program: Command, global: () => Global): void {
  const workflow = program.command("workflow").alias("workflows").description("inspect and manage workflows");

  filterOptions(workflow.command("list").description("list workflows, newest first"))
    .option("--load", "include inputs, outputs and errors")
    .action((flags: FilterFlags & { load?: boolean }) =>
      withClient(global(), async (client) => {
        const rows = await listWorkflows(client, toListOptions(flags, flags.load === true));
        if (global().json) return printJson(rows);
        printText(
          renderTable(rows, [
            { header: "WORKFLOW ID", value: (w) => w.workflowID },
            { header: "NAME", value: (w) => w.name ?? "-" },
            { header: "STATUS", value: (w) => w.status, color: colorStatus },
            { header: "QUEUE", value: (w) => w.queueName ?? "-" },
            { header: "CREATED", value: (w) => relativeTime(w.createdAt) },
            { header: "UPDATED", value: (w) => relativeTime(w.updatedAt) },
            { header: "ATTEMPTS", value: (w) => String(w.attempts) },
            ...(flags.load
              ? [{ header: "OUTPUT / ERROR", value: (w: WorkflowStatus) => brief(w.error ?? w.output) }]
              : []),
          ]),
        );
      }),
    );

  workflow
    .command("get <workflowID>")
    .description("one workflow's status (and, with --load, its input, output and error)")
    .option("--load", "read and show the input, output and error (not read by default: they may be large)")
    .action((id: string, flags: { load?: boolean }) =>
      withClient(global(), async (client) => {
        const status = await getOne(client, id, flags.load === true);
        if (global().json) return printJson(status);
        const field = (label: string, value: string) => printText(`${pc.bold(label.padEnd(14))}${value}`);
        field("Workflow ID", status.workflowID);
        field("Name", status.name ?? "-");
        field("Status", colorStatus(status.status));
        field("Queue", status.queueName ?? "-");
        field("Executor", status.executorID ?? "-");
        field("App version", status.applicationVersion ?? "-");
        field("Attempts", String(status.attempts));
        field("Created", `${status.createdAt.toISOString()} (${relativeTime(status.createdAt)})`);
        field(
          "Completed",
          status.completedAt ? `${status.completedAt.toISOString()} (${relativeTime(status.completedAt)})` : "-",
        );
        if (flags.load !== true) return field("Input/output", pc.dim("not read: add --load to show them"));
        field("Input", brief(status.input, 200));
        field("Output", brief(status.output, 200));
        field("Error", brief(status.error, 200));
      }),
    );

  workflow
    .command("steps <workflowID>")
    .description("the steps a workflow recorded, in order (with --load, their outputs and errors)")
    .option("--load", "read and show each step's output or error (not read by default: they may be large)")
    .action((id: string, flags: { load?: boolean }) =>
      withClient(global(), async (client) => {
        await getOne(client, id, false);
        const load = flags.load === true;
        const steps = await getWorkflowSteps(client, id, { loadPayloads: load });
        if (global().json) return printJson(steps);
        printText(
          renderTable(steps, [
            { header: "STEP", value: (s) => String(s.stepID) },
            { header: "NAME", value: (s) => s.name },
            {
              header: "RESULT",
              value: (s) => (s.failed ? "error" : "ok"),
              color: (t) => (t.trim() === "ok" ? pc.green(t) : pc.red(t)),
            },
            ...(load ? [{ header: "OUTPUT / ERROR", value: (s: StepInfo) => stepOutput(s) }] : []),
            { header: "CHILD", value: (s) => s.childWorkflowID ?? "-" },
            {
              header: "TOOK",
              value: (s) =>
                s.startedAt && s.completedAt ? `${s.completedAt.getTime() - s.startedAt.getTime()}ms` : "-",
            },
          ]),
        );
      }),
    );

  for (const [verb, act] of [
    ["cancel", cancelWorkflows],
    ["resume", resumeWorkflows],
  ] as const) {
    filterOptions(
      workflow
        .command(`${verb} [workflowIDs...]`)
        .description(`${verb} workflows by ID, or every workflow matching the filters`),
    )
      .option("--dry-run", `list what would be ${verb === "cancel" ? "cancelled" : "resumed"}, change nothing`)
      .action((ids: string[], flags: FilterFlags & { dryRun?: boolean }) =>
        withClient(global(), async (client) => {
          const byFilter = Object.keys(flags).some((k) => k !== "dryRun");
          if (ids.length === 0 && !byFilter)
            throw usage(
              `Name the workflows to ${verb}, or select them with filters such as --status ENQUEUED --queue emails.`,
            );
          if (ids.length > 0 && byFilter) throw usage(`Give workflow IDs or filters, not both.`);
          const targets =
            ids.length > 0
              ? ids
              : (await listWorkflows(client, toListOptions({ limit: "100000", ...flags }, false))).map(
                  (w) => w.workflowID,
                );
          if (flags.dryRun) {
            if (global().json) return printJson({ dryRun: true, workflowIDs: targets });
            return printText(`Would ${verb} ${targets.length} workflow(s):\n${targets.join("\n")}`);
          }
          const changes = await act(client, targets);
          const done = changes.filter((c) => c.outcome === "changed").map((c) => c.workflowID);
          const unchanged = changes
            .filter((c) => c.outcome === "unchanged")
            .map((c) => ({ workflowID: c.workflowID, status: c.previousStatus }));
          const missing = changes.filter((c) => c.outcome === "not-found").map((c) => c.workflowID);
          const past = verb === "cancel" ? "cancelled" : "resumed";
          if (global().json) printJson({ [past]: done, unchanged, missing });
          else {
            for (const c of changes) {
              if (c.outcome === "changed") printText(`${c.workflowID}: ${past}`);
              else if (c.outcome === "not-found") printText(`${c.workflowID}: not found`);
              else
                printText(
                  `${c.workflowID}: ` +
                    `not ${past},` +
                    ` ${
                      c.previousStatus === "CANCELLED"
                        ? "already CANCELLED"
                        : `already finished with ` + `status ${c.previousStatus}`
                    }`,
                );
            }
            printText(`${past[0]!.toUpperCase()}${past.slice(1)} ${done.length} of ${changes.length} workflow(s).`);
          }
          if (done.length < changes.length) {
            throw new CliFailure(
              `${changes.length - done.length} of ${changes.length} workflow(s) were not ${past}` +
                `${
                  missing.length
                    ? ` (not found: ${missing.join(", ")}; find ` + `IDs with \`durably workflow list\`)`
                    : ""
                }.`,
            );
          }
        }),
      );
  }

  workflow
    .command("fork <workflowID>")
    .description("start a new workflow that reuses the original's steps before --step and re-runs the rest")
    .requiredOption("--step <n>", "first step to run again (earlier ones are copied)")
    .option("--id <workflowID>", "ID of the new workflow (default: random)")
    .option("--app-version <version>", "run the fork on executors of this version")
    .option("--queue <queue>", "enqueue the fork on this queue")
    .option("--partition-key <key>", "the partition of --queue (required on a partitioned queue)")
    .action(
      (id: string, flags: { step: string; id?: string; appVersion?: string; queue?: string; partitionKey?: string }) =>
        withClient(global(), async (client) => {
          const startStep = parseCount(flags.step, "--step");
          if (flags.partitionKey !== undefined && flags.queue === undefined)
            throw usage("--partition-key needs --queue: the partitioned queue to put the fork on.");
          const handle = await forkWorkflow(client, id, {
            startStep,
            ...(flags.id === undefined ? {} : { newWorkflowID: flags.id }),
            ...(flags.appVersion === undefined ? {} : { applicationVersion: flags.appVersion }),
            ...(flags.queue === undefined ? {} : { queue: flags.queue }),
            ...(flags.partitionKey === undefined ? {} : { partitionKey: flags.partitionKey }),
          }).catch(notFound(id));
          if (global().json) printJson({ workflowID: handle.workflowID, forkedFrom: id, startStep });
          else printText(`Forked ${id} from step ${startStep} as ${handle.workflowID}.`);
        }),
    );

  workflow
    .command("gc")
    .description(
      "delete finished workflows (and their steps, inputs, outputs, messages, events, streams) older than a " +
        "duration or past the newest N",
    )
    .option("--older-than <duration>", "finished longer ago than this, e.g. 30d, 12h")
    .option("--keep-newest <n>", "keep the newest n workflows; delete the finished ones before them")
    .option("--batch-size <n>", "workflows per statement (default 1000; halved when statement_timeout hits)")
    .action((flags: { olderThan?: string; keepNewest?: string; batchSize?: string }) =>
      withClient(global(), async (client) => {
        if (flags.olderThan === undefined && flags.keepNewest === undefined)
          throw usage("give --older-than <duration>, --keep-newest <n>, or both");
        const olderThanMs = flags.olderThan === undefined ? undefined : parseDuration(flags.olderThan, "--older-than");
        const keepNewest =
          flags.keepNewest === undefined ? undefined : parseCount(flags.keepNewest, "--keep-newest", 1);
        const batchSize = flags.batchSize === undefined ? undefined : parseCount(flags.batchSize, "--batch-size", 1);
        const deleted = await garbageCollectWorkflows(client, {
          ...(olderThanMs === undefined ? {} : { olderThanMs }),
          ...(keepNewest === undefined ? {} : { keepNewest }),
          ...(batchSize === undefined ? {} : { batchSize }),
        });
        const bounds = [
          ...(flags.olderThan === undefined ? [] : [`finished over ${flags.olderThan} ago`]),
          ...(flags.keepNewest === undefined ? [] : [`older than the newest ${flags.keepNewest}`]),
        ];
        if (global().json) printJson({ deleted });
        else printText(`Deleted ${deleted} finished workflow(s) ${bounds.join(" or ")}.`);
      }),
    );

  registerWorkflowUpgradeCommand(workflow, global);
}

/** One workflow's status; its input, output and error only when `loadPayloads` (they may be large). */
async function getOne(client: DBOSContext, id: string, loadPayloads: boolean): Promise<WorkflowStatus> {
  const [status] = await listWorkflows(client, { workflowIDs: [id], loadPayloads, ownApplicationOnly: false });
  if (status === undefined) throw new CliFailure(`No workflow with ID ${id}. Find IDs with \`durably workflow list\`.`);
  return status;
}

function notFound(id: string) {
  return (error: unknown): never => {
    if (isDurablyError(error, "NONEXISTENT_WORKFLOW"))
      throw new CliFailure(`No workflow with ID ${id}. Find IDs with \`durably workflow list\`.`);
    throw error;
  };
}
