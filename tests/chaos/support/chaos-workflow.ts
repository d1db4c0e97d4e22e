// The workflow chaos workers run: steps that log their execution to the effect log and return a
// fresh nonce, and a result chained over the step outputs.
import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { getWorkflowID, runAsStep, sleep, type DBOSContext } from "@durably/core";
import { recv, send } from "@durably/notifications";
import type { EffectLog } from "./effect-log.js";
import { resultChain, type ChaosInput } from "./result-chain.js";

/** The topic of the echo messages (ChaosInput.echo). */
export const echoTopic = "echo";

/**
 * `selfEcho: false` leaves the echo's send to someone outside (the fleet tests' gate): the workflow
 * then waits in its recv until step 0's output is sent to it.
 */
export function createChaosWorkflow(effects: EffectLog, { selfEcho = true }: { selfEcho?: boolean } = {}) {
  return async function chaosWorkflow(ctx: DBOSContext, input: ChaosInput): Promise<string> {
    const wf = getWorkflowID(ctx);
    const step = async (j: number): Promise<string> => {
      const value = await runAsStep(
        ctx,
        async (stepCtx) => {
          const nonce = randomBytes(8).toString("hex");
          effects.append({ wf, step: j, nonce, event: "begin" });
          const [min, max] = input.stepMs;
          await delay(min + Math.random() * (max - min), undefined, { signal: stepCtx.signal });
          effects.append({ wf, step: j, nonce, event: "end" });
          return nonce;
        },
        { name: `s${j}` },
      );
      effects.append({ wf, step: j, nonce: value, event: "ack" });
      return value;
    };
    const outputs: string[] = [];
    for (let j = 0; j < input.steps; ) {
      if (input.parallel && j === 1 && input.steps >= 3) {
        outputs.push(...(await Promise.all([step(1), step(2)])));
        j += 2;
      } else {
        outputs.push(await step(j));
        j++;
      }
      if (j === 1 && input.sleepMs > 0) {
        await sleep(ctx, input.sleepMs);
        effects.append({ wf, step: -1, nonce: "", event: "wake" });
      }
      if (j === 1 && input.echo) {
        const [heard] = await Promise.all([
          recv<string>(ctx, { topic: echoTopic, timeoutMs: 600_000 }),
          selfEcho ? send(ctx, wf, outputs[0], { topic: echoTopic }) : undefined,
        ]);
        // A message lost, duplicated or confused with another fails the workflow (I1) as well as I7.
        if (heard !== outputs[0]) throw new Error(`echo: received ${String(heard)}, sent ${outputs[0]}`);
      }
    }
    const result = resultChain(wf, input, outputs);
    effects.append({ wf, step: input.steps, nonce: result, event: "done" });
    return result;
  };
}
