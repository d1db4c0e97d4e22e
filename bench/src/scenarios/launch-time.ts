// Scenario 8: how long launch() takes; the parent decides cold (database dropped first: create +
// migrate) or warm (the database of the cold run, already migrated).
import type { Scenario } from "./scenario.js";

export const launchTime: Scenario = async ({ open }) => {
  const library = await open();
  const started = performance.now();
  await library.launch();
  const launchMs = performance.now() - started;
  await library.shutdown();
  return { metrics: { launchMs } };
};
