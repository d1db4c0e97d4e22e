// What a step recorded, for the steps table: a durable sleep's wake-up time instead of its raw epoch ms.
import type { StepInfo } from "@durably/core";
import { brief } from "./print.js";
import { relativeTime } from "./relative-time.js";

/** "wake-up 2026-01-01T12:00:05.000Z (in 5s)" for a DBOS.sleep step, else the output or error in brief. */
export function stepOutput(step: StepInfo, now = Date.now()): string {
  if (step.name === "DBOS.sleep" && step.error === undefined && typeof step.output === "number") {
    const wakeAt = new Date(step.output);
    return `wake-up ${wakeAt.toISOString()} (${relativeTime(wakeAt, now)})`;
  }
  return brief(step.error ?? step.output);
}
