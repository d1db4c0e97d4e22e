// Time from SIGKILL of a worker to its workflows progressing on the live ones, with default lease
// settings: per workflow, from the kill to the first step a survivor runs for it.
import { spawnFleetWorker, type FleetWorker } from "./spawn-fleet-worker.js";

export interface KillToProgressOptions {
  /** URL of an empty database for each trial (the caller recreates it). */
  readonly freshDatabase: () => Promise<string>;
  readonly trials: number;
  readonly workflows: number;
  readonly survivors: number;
  readonly say: (line: string) => void;
}

export interface KillToProgressResult {
  /** One sample per workflow and trial: ms from the kill to its first step on a survivor. */
  readonly samplesMs: number[];
  /** Workflows that never progressed within the trial's deadline. */
  readonly stranded: number;
  /** Per trial, how many workflows each survivor took. */
  readonly spread: number[][];
}

const trialDeadlineMs = 60_000;

export async function measureKillToProgress(options: KillToProgressOptions): Promise<KillToProgressResult> {
  const samplesMs: number[] = [];
  const spread: number[][] = [];
  let stranded = 0;
  for (let trial = 1; trial <= options.trials; trial++) {
    const url = await options.freshDatabase();
    const workers: FleetWorker[] = [];
    try {
      const onVictim = new Map<string, number>();
      const resumed = new Map<string, { at: number; pid: number }>();
      let killAt = Infinity;
      for (let i = 0; i < options.survivors; i++) {
        const survivor = spawnFleetWorker({ url, role: "survivor" }, (event, child) => {
          if (event.type === "step" && event.at > killAt && !resumed.has(event.workflowID)) {
            resumed.set(event.workflowID, { at: event.at, pid: child.pid ?? -1 });
          }
        });
        workers.push(survivor);
      }
      await Promise.all(workers.map((w) => w.ready));
      const victim = spawnFleetWorker({ url, role: "victim", workflows: options.workflows }, (event) => {
        if (event.type === "step") onVictim.set(event.workflowID, event.step);
      });
      workers.push(victim);
      await victim.ready;
      await until(() => onVictim.size === options.workflows && [...onVictim.values()].every((s) => s >= 2), 30_000);
      // Land the kill anywhere in the renewal cycle.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2_000));
      killAt = Date.now();
      await victim.kill();
      await until(() => resumed.size === options.workflows, trialDeadlineMs);
      const ids = [...onVictim.keys()];
      for (const id of ids) {
        const r = resumed.get(id);
        if (r === undefined) stranded++;
        else samplesMs.push(r.at - killAt);
      }
      const byPid = new Map<number, number>();
      for (const r of resumed.values()) byPid.set(r.pid, (byPid.get(r.pid) ?? 0) + 1);
      spread.push([...byPid.values()].sort((a, b) => b - a));
      options.say(
        `  trial ${trial}: ${resumed.size}/${ids.length} progressed elsewhere, split ${spread.at(-1)!.join("/")}`,
      );
    } finally {
      await Promise.all(workers.map((w) => w.kill()));
    }
  }
  return { samplesMs, stranded, spread };
}

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}
