// `durably schedule ...`: list, pause, resume and trigger cron schedules.
import type { Command } from "commander";
import { isDurablyError } from "@durably/core";
import { listSchedules, pauseSchedule, resumeSchedule, triggerSchedule } from "@durably/scheduler";
import { CliFailure } from "../cli-failure.js";
import { withClient, type ConnectionOptions } from "../connect-client.js";
import { printJson, printText } from "../output/print.js";
import { relativeTime } from "../output/relative-time.js";
import pc from "picocolors";
import { renderTable } from "../output/table.js";

export function registerScheduleCommands(program: Command, global: () => ConnectionOptions & { json?: boolean }): void {
  const schedule = program.command("schedule").alias("schedules").description("inspect and manage cron schedules");
  schedule
    .command("list")
    .description("the schedules and when each last fired")
    .action(() =>
      withClient(global(), async (client) => {
        const schedules = await listSchedules(client);
        if (global().json) return printJson(schedules);
        printText(
          renderTable(schedules, [
            { header: "SCHEDULE", value: (s) => s.name },
            { header: "WORKFLOW", value: (s) => s.workflowName },
            { header: "CRON", value: (s) => s.cron },
            { header: "TIMEZONE", value: (s) => s.timezone ?? "UTC" },
            {
              header: "STATUS",
              value: (s) => s.status,
              color: (t) => (t.trim() === "ACTIVE" ? pc.green(t) : pc.yellow(t)),
            },
            { header: "LAST FIRED", value: (s) => relativeTime(s.lastFiredAt) },
          ]),
        );
      }),
    );
  for (const [verb, act] of [
    ["pause", pauseSchedule],
    ["resume", resumeSchedule],
  ] as const) {
    schedule
      .command(`${verb} <name>`)
      .description(`${verb} a schedule`)
      .action((name: string) =>
        withClient(global(), async (client) => {
          await act(client, name).catch(notFound(name));
          if (global().json) printJson({ schedule: name, status: verb === "pause" ? "PAUSED" : "ACTIVE" });
          else printText(`${verb === "pause" ? "Paused" : "Resumed"} schedule ${name}.`);
        }),
      );
  }
  schedule
    .command("trigger <name>")
    .description("run a schedule's workflow now, once")
    .action((name: string) =>
      withClient(global(), async (client) => {
        const handle = await triggerSchedule(client, name).catch(notFound(name));
        if (global().json) printJson({ schedule: name, workflowID: handle.workflowID });
        else printText(`Triggered schedule ${name}: workflow ${handle.workflowID}.`);
      }),
    );
}

function notFound(name: string) {
  return (error: unknown): never => {
    if (isDurablyError(error, "SCHEDULE_NOT_FOUND"))
      throw new CliFailure(`No schedule named ${name}. See \`durably schedule list\`.`);
    throw error;
  };
}
