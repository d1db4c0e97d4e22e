// Waiting durably for something another party writes (a message, an event): DBOS's pattern of
// two steps, the operation at N and its deadline as a DBOS.sleep at N+1, so a restart neither
// loses what arrived nor restarts the clock. Wake-ups come from notifications, with a poll as
// the fallback, so a lost notification only costs latency.
import { checkOptions, DurablyError, maxTimerMs } from "@durably/sysdb";
import type { DBOSContext } from "./dbos-context.js";
import type { AtomicOutcome, DurableStep } from "./durable-step.js";
import { operationTypeOf } from "./instrumentation.js";
import { atomicStep, enterStep, stepOf } from "./run-durable-operation.js";
import { recordStep, replayedOutcome, unwrap } from "./step-checkpoint.js";

export interface DurableWait<T> {
  /** Step name of the operation, e.g. "DBOS.recv". */
  readonly name: string;
  readonly timeoutMs: number;
  /**
   * One try. Inside a workflow it gets the step and must record its checkpoint with its effect
   * (`{ recorded: true }`), report a refused fenced write (`{ recorded: false }`), or return
   * undefined when there is nothing yet. Outside a workflow it gets no step.
   */
  readonly attempt: (step: DurableStep | undefined) => Promise<AtomicOutcome<T> | undefined>;
  /**
   * Calls `wake` when what is awaited may have arrived; returns the unsubscribe function. A party
   * in this process that has already committed what is awaited can instead hand it over with
   * `deliver`, saving the try's round trip: inside a workflow only a value recorded as `step`'s
   * checkpoint may be delivered; outside one (`step` undefined), any committed value.
   */
  readonly subscribe: (wake: () => void, deliver: (value: T) => void, step: DurableStep | undefined) => () => void;
  /** Longest wait between two tries without a wake-up. Default 1 000 ms. */
  readonly pollMs?: number;
  /** The error to record and throw when the deadline passes. */
  readonly timeoutError: () => DurablyError;
}

/** Waits until `attempt` yields a value, or throws `timeoutError()` at the deadline. */
export async function runDurableWait<T>(ctx: DBOSContext, wait: DurableWait<T>): Promise<T> {
  checkOptions(`runDurableWait(${JSON.stringify(wait?.name)})`, wait, {
    name: { type: "string", required: true, nonEmpty: true },
    timeoutMs: { type: "number", required: true, min: 0 },
    attempt: { type: "function", required: true },
    subscribe: { type: "function", required: true },
    pollMs: { type: "number", above: 0 },
    timeoutError: { type: "function", required: true },
  });
  const { timeoutMs } = wait;
  const run = enterStep(ctx, wait.name);
  const runtime = ctx.runtime;
  if (run === undefined) {
    const deadline = runtime.now() + timeoutMs;
    const tryOutside = async () => {
      const result = await wait.attempt(undefined);
      return result?.recorded ? { value: result.value } : undefined;
    };
    // `return await` throughout: a promise returned as is from an async function costs two more
    // turns of the microtask queue, and a handed-over value resumes its waiter through each frame.
    return await withWaker(ctx, wait, undefined, async (waker) => {
      const found = (await tryOutside()) ?? waker.delivered();
      return found !== undefined ? found.value : await poll(ctx, wait, waker, deadline, tryOutside);
    });
  }
  // Both IDs are reserved now, before any await, so concurrent operations stay deterministic.
  const stepID = run.nextStepID();
  const sleepID = run.nextStepID();
  const replayed = replayedOutcome(run, runtime, stepID, wait.name);
  if (replayed !== undefined) return unwrap<T>(await replayed);
  const observed = run.observer?.step({ stepID, name: wait.name, type: operationTypeOf(wait.name, undefined) });
  if (observed === undefined) return await waitInWorkflow(ctx, wait, stepID, sleepID);
  try {
    const value = await observed.within(() => waitInWorkflow(ctx, wait, stepID, sleepID));
    observed.end(undefined, 1);
    return value;
  } catch (error) {
    observed.end(error, 1);
    throw error;
  }
}

/** The wait of an operation at `stepID` whose deadline is checkpointed at `sleepID`. */
async function waitInWorkflow<T>(ctx: DBOSContext, wait: DurableWait<T>, stepID: number, sleepID: number): Promise<T> {
  const run = ctx.run!;
  const runtime = ctx.runtime;
  const { timeoutMs } = wait;
  let found: { value: T } | undefined;
  const tryOnce = async () => {
    let empty = false;
    const value = await atomicStep(ctx, run, stepID, wait.name, async (step) => {
      const result = await wait.attempt(step);
      if (result === undefined) {
        empty = true;
        return { recorded: true, value: undefined as T }; // nothing recorded; the caller waits on
      }
      return result;
    });
    return empty ? undefined : { value };
  };
  try {
    return await withWaker(ctx, wait, stepOf(ctx, run, stepID), async (waker) => {
      found = (await tryOnce()) ?? waker.delivered();
      if (found !== undefined) return found.value;
      // The deadline, checkpointed once at N+1 (portable_json epoch ms, as DBOS.sleep stores it).
      const deadline = Number(await sleepDeadline(ctx, sleepID, timeoutMs));
      return await poll(ctx, wait, waker, deadline, tryOnce);
    });
  } catch (error) {
    if (error instanceof DurablyError && error.code === "TIMEOUT") {
      // Record the timeout at N so that a replay times out the same way, without waiting.
      return unwrap<T>(
        await recordStep(run, runtime, {
          stepID,
          name: wait.name,
          outcome: { ok: false, error },
          startedAt: runtime.now(),
        }),
      );
    }
    throw error;
  }
}

/** The wake-up time at `sleepID`: replayed if recorded, else now + timeout, recorded now. */
async function sleepDeadline(ctx: DBOSContext, sleepID: number, timeoutMs: number): Promise<number> {
  const run = ctx.run!;
  const replayed = replayedOutcome(run, ctx.runtime, sleepID, "DBOS.sleep");
  if (replayed !== undefined) return Number(unwrap(await replayed));
  const wakeAt = ctx.runtime.now() + timeoutMs;
  const outcome = await recordStep(run, ctx.runtime, {
    stepID: sleepID,
    name: "DBOS.sleep",
    outcome: { ok: true, value: wakeAt },
    startedAt: ctx.runtime.now(),
    format: "portable_json",
  });
  return Number(unwrap(outcome));
}

/**
 * The wake-ups of one wait. A wake-up that comes while a try runs is kept, so the next sleep
 * returns at once and nothing that arrived between two tries is missed. Plain callbacks, not
 * AbortSignals: a hand-over resumes the waiter with no event dispatch on its path.
 */
class Waker<T> {
  #woken = false;
  #interrupt: (() => void) | undefined;
  #delivered: { value: T } | undefined;

  readonly wake = (): void => {
    this.#woken = true;
    this.#interrupt?.();
  };

  readonly deliver = (value: T): void => {
    this.#delivered ??= { value };
    this.wake();
  };

  /** What another party handed over, if it did. */
  delivered(): { value: T } | undefined {
    return this.#delivered;
  }

  /** Waits up to `ms`, or less if woken (now or since the last sleep) or when a signal aborts. */
  sleep(ms: number, signals: readonly AbortSignal[]): Promise<void> {
    if (this.#woken || signals.some((signal) => signal.aborted)) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const signal of signals) signal.removeEventListener("abort", done);
        this.#interrupt = undefined;
        this.#woken = false;
        resolve();
      };
      // Capped at the longest Node.js timer (a longer one fires at once); the poll loop re-checks.
      const timer = setTimeout(done, Math.min(Math.max(0, ms), maxTimerMs));
      for (const signal of signals) signal.addEventListener("abort", done, { once: true });
      this.#interrupt = done;
    });
  }
}

/** Subscribes before the first try, so nothing that arrives in between is missed. */
async function withWaker<T, R>(
  ctx: DBOSContext,
  wait: DurableWait<T>,
  step: DurableStep | undefined,
  body: (waker: Waker<T>) => Promise<R>,
): Promise<R> {
  const waker = new Waker<T>();
  const unsubscribe = wait.subscribe(waker.wake, waker.deliver, step);
  const reconnected = ctx.runtime.sysdb.listener.onReconnect(waker.wake);
  try {
    return await body(waker);
  } finally {
    unsubscribe();
    reconnected();
  }
}

async function poll<T>(
  ctx: DBOSContext,
  wait: DurableWait<T>,
  waker: Waker<T>,
  deadline: number,
  tryOnce: () => Promise<{ value: T } | undefined>,
): Promise<T> {
  const runtime = ctx.runtime;
  const pollMs = wait.pollMs ?? 1_000;
  const stops = ctx.run === undefined ? [runtime.shutdownSignal] : [runtime.shutdownSignal, ctx.run.signal];
  for (;;) {
    const remaining = deadline - runtime.now();
    if (remaining <= 0) throw wait.timeoutError();
    await waker.sleep(Math.min(remaining, pollMs), stops);
    ctx.run?.throwIfStopped();
    if (runtime.shutdownSignal.aborted) throw runtime.shutdownSignal.reason;
    const found = waker.delivered() ?? (await tryOnce()) ?? waker.delivered();
    if (found !== undefined) return found.value;
  }
}
