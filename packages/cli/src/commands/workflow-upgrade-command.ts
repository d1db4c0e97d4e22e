// `durably workflow upgrade --from v1 --to v2 [--dry-run]`: move the waiting workflows of one
// application version to another whose code replays them.
import type { Command } from "commander";
import pc from "picocolors";
import { upgradeWorkflows } from "@durably/core";
import { withClient, type ConnectionOptions } from "../connect-client.js";
import { printJson, printNote, printText } from "../output/print.js";

interface UpgradeFlags {
  readonly from: string;
  readonly to: string;
  readonly dryRun?: boolean;
}

export function registerWorkflowUpgradeCommand(
  workflow: Command,
  global: () => ConnectionOptions & { json?: boolean },
): void {
  workflow
    .command("upgrade")
    .description(
      "move the PENDING and ENQUEUED workflows of one application version to another whose code replays them",
    )
    .requiredOption("--from <version>", "the version whose workflows move")
    .requiredOption("--to <version>", "the version they move to (a worker of it must have launched)")
    .option("--dry-run", "list what would move, change nothing")
    .addHelpText(
      "after",
      "\nPENDING workflows go back to ENQUEUED (on their queue, or the internal one) and a live worker of\n" +
        "--to resumes them from their checkpoints; ENQUEUED ones keep their queue. A durably process of\n" +
        "--from still running one stops it at its next step. Its code must replay their recorded steps:\n" +
        "the same steps in the same order, or changes guarded by patched().",
    )
    .action((flags: UpgradeFlags) =>
      withClient(global(), async (client) => {
        const result = await upgradeWorkflows(client, {
          from: flags.from,
          to: flags.to,
          dryRun: flags.dryRun === true,
        });
        if (global().json) return printJson(result);
        for (const w of result.workflows) printText(`${w.workflowID}: ${w.previousStatus}`);
        const verb = result.dryRun ? "Would move" : "Moved";
        printText(
          `${verb} ${result.workflows.length} workflow(s) of version ${result.from} to ${result.to} ` +
            `(${result.pending} pending, ${result.enqueued} enqueued).`,
        );
        if (result.workflows.length > 0 && result.liveExecutorsOfTarget === 0) {
          printNote(pc.yellow(`No live worker serves ${result.to} now: they wait until one starts.`));
        }
      }),
    );
}
