// SQL statements and commits per 3-step workflow, counted at each library's driver over
// sequential workflows after a warm-up, with each library's background polls set apart.
import { createStatementCounter } from "../statement-counter.js";
import type { LibraryName } from "../libraries/library.js";
import type { Scenario } from "./scenario.js";

/**
 * Statements of each library's periodic loops, recognised by their text; a transaction holding
 * one counts as background whole. durably: the cancellation sweep (every pollIntervalMs while
 * workflows run) and the internal-queue poll. DBOS: the queue dispatcher (queue config read,
 * dequeue transaction with its application-version read), the delayed-workflow promotion, the
 * workflow-timeout sweep and the scheduler's poll.
 */
const backgroundPatterns: Record<LibraryName, readonly RegExp[]> = {
  durably: [/where workflow_uuid = any\(/i, /for update skip locked/i],
  dbos: [
    /for update (skip locked|nowait)/i,
    /"\.queues\b/i,
    /"\.application_versions\b/i,
    /"\.workflow_schedules\b/i,
    /workflow_deadline_epoch_ms is not null/i,
    /delay_until_epoch_ms <=/i,
  ],
};

export const statementCounts: Scenario = async ({ open, sizes, library: name }) => {
  const patterns = backgroundPatterns[name];
  const counter = createStatementCounter((sql) => patterns.some((p) => p.test(sql)));
  const library = await open({ counter });
  await library.launch();
  try {
    for (let i = 0; i < sizes.statementWarmup; i++) await library.runThreeSteps(i);
    counter.reset();
    const n = sizes.statementWorkflows;
    for (let i = 0; i < n; i++) await library.runThreeSteps(i);
    const counts = counter.counts();
    const perWorkflow = Object.fromEntries(
      Object.entries(counts.shapes)
        .sort((a, b) => b[1] - a[1])
        .map(([shape, count]) => [shape, Math.round((count / n) * 100) / 100]),
    );
    return {
      metrics: {
        statementsPerWorkflow: counts.statements / n,
        commitsPerWorkflow: counts.commits / n,
        writeCommitsPerWorkflow: (counts.commits - counts.readOnlyCommits) / n,
        backgroundStatements: counts.background,
        workflows: n,
      },
      details: { statementsPerWorkflowByShape: perWorkflow, backgroundByShape: counts.backgroundShapes },
    };
  } finally {
    await library.shutdown();
  }
};
