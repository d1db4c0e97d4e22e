// Scenario 7, in two processes: a victim starts workflows that block inside step 2 and reports
// ready (the parent then SIGKILLs it); a new process with the same executor ID and application
// version launches and waits for those workflows, timed from the launch() call.
import type { Scenario } from "./scenario.js";

/** The victim: never returns; the parent kills it once it has called ready(). */
export const recoveryVictim: Scenario = async ({ open, workflowIDs, executorId, ready }) => {
  let blocked = 0;
  const library = await open({
    ...(executorId === undefined ? {} : { executorId }),
    beforeRecoverableStepTwo: () => {
      if (++blocked === workflowIDs.length) ready();
      return new Promise<void>(() => undefined);
    },
  });
  await library.launch();
  await Promise.all(workflowIDs.map((id, i) => library.startRecoverable(id, i)));
  setInterval(() => undefined, 60_000); // stay alive until killed
  return new Promise<never>(() => undefined);
};

export const recovery: Scenario = async ({ open, workflowIDs, executorId }) => {
  let stepTwoRuns = 0;
  const library = await open({
    ...(executorId === undefined ? {} : { executorId }),
    beforeRecoverableStepTwo: async () => void stepTwoRuns++,
  });
  const started = performance.now();
  await library.launch();
  const launchMs = performance.now() - started;
  try {
    for (const id of workflowIDs) await library.awaitWorkflow(id);
    const recoveryMs = performance.now() - started;
    if (stepTwoRuns !== workflowIDs.length) {
      throw new Error(
        `expected step 2 to run ${workflowIDs.length} times in the recovering process, it ran ${stepTwoRuns} times`,
      );
    }
    return { metrics: { recoveryMs, launchMs, workflows: workflowIDs.length } };
  } finally {
    await library.shutdown();
  }
};
