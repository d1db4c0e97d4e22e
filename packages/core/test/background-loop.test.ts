// The one helper behind every background loop (queue runners, scheduler, GC, cancellation watch,
// internal queue), on real timers: stop ends it, a failed round is logged and the loop goes on,
// waits are jittered within bounds, wake cuts a regular wait short but not a backoff.
import { afterEach, expect, test, vi } from "vitest";
import { BackgroundLoop, type BackgroundLoopOptions } from "../src/background-loop.js";
import type { Logger } from "../src/logger.js";

/** The test's own waits use the real timer, so a spy on setTimeout sees only the loop's. */
const realSetTimeout = globalThis.setTimeout;
const loops: BackgroundLoop[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(loops.splice(0).map((loop) => loop.stop()));
});

function recordingLogger(): Logger & { warnings: Array<{ message: string; fields: unknown }> } {
  const warnings: Array<{ message: string; fields: unknown }> = [];
  const none = () => undefined;
  const warn = (message: string, fields?: unknown) => void warnings.push({ message, fields });
  return { warnings, debug: none, info: none, error: none, warn };
}

type TestLoopOptions = Omit<BackgroundLoopOptions, "logger" | "failureMessage"> & { logger?: Logger };

function startLoop(options: TestLoopOptions): BackgroundLoop {
  const failureMessage = "round failed; will retry";
  const loop = new BackgroundLoop({ logger: recordingLogger(), failureMessage, ...options });
  loops.push(loop);
  loop.start();
  return loop;
}

/** Resolves once `condition` holds; fails after 5 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5_000) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => realSetTimeout(resolve, 5));
  }
}

const settle = () => new Promise((resolve) => realSetTimeout(resolve, 50));

test("stop ends the loop, waits for the round in progress, and no round runs after it", async () => {
  let rounds = 0;
  let release: () => void = () => undefined;
  const loop = startLoop({
    intervalMs: 1,
    round: async () => {
      rounds++;
      if (rounds === 3) await new Promise<void>((resolve) => (release = resolve));
    },
  });
  await until(() => rounds === 3, "the third round started");
  let stopped = false;
  const stopping = loop.stop().then(() => void (stopped = true));
  await settle();
  expect(stopped).toBe(false);
  expect(loop.signal.aborted).toBe(true);
  release();
  await stopping;
  await settle();
  expect(rounds).toBe(3);
  loop.start(); // a stopped loop does not start again
  await settle();
  expect(rounds).toBe(3);
});

test("a failed round is logged as a warning with its error, and the loop goes on", async () => {
  const logger = recordingLogger();
  const boom = new Error("database unreachable");
  let rounds = 0;
  startLoop({
    logger,
    intervalMs: 1,
    round: async () => {
      rounds++;
      if (rounds === 1) throw boom;
    },
  });
  await until(() => rounds >= 3, "two more rounds ran after the failure");
  expect(logger.warnings).toEqual([{ message: "round failed; will retry", fields: { error: boom } }]);
});

test("a round that fails after stop is not logged", async () => {
  const logger = recordingLogger();
  let started = false;
  let fail: (error: Error) => void = () => undefined;
  const loop = startLoop({
    logger,
    intervalMs: 1,
    round: () => {
      started = true;
      return new Promise((_resolve, reject) => (fail = reject));
    },
  });
  await until(() => started, "the round started");
  const stopping = loop.stop();
  fail(new Error("connection closed by shutdown"));
  await stopping;
  expect(logger.warnings).toEqual([]);
});

test("regular waits are jittered within ± the fraction, around the interval", async () => {
  const requested: number[] = [];
  let rounds = 0;
  const spy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
    if (rounds > 0) requested.push(ms ?? 0);
    return realSetTimeout(fn, 0);
  }) as typeof setTimeout);
  const loop = startLoop({ intervalMs: 1_000, jitter: 0.1, round: async () => void rounds++ });
  await until(() => rounds >= 40, "40 rounds ran");
  await loop.stop();
  spy.mockRestore();
  expect(requested.length).toBeGreaterThanOrEqual(39);
  for (const ms of requested) {
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThanOrEqual(1_100);
  }
  expect(new Set(requested).size).toBeGreaterThan(1); // really spread, not one fixed wait
});

test("wake cuts a regular wait short; a round returning 0 goes again at once; waitFirst waits first", async () => {
  let rounds = 0;
  const round = async () => (++rounds === 1 ? 0 : undefined);
  const loop = startLoop({ intervalMs: 3_600_000, waitFirst: true, round });
  await settle();
  expect(rounds).toBe(0); // waiting the hour before the first round
  loop.wake();
  await until(() => rounds === 2, "the woken round and the one it asked for ran");
  await settle();
  expect(rounds).toBe(2); // back to waiting the hour
  loop.wake();
  await until(() => rounds === 3, "a second wake ran one more round");
});

test("after onError asks for a backoff, wake does not cut the wait short; a number replaces the interval", async () => {
  let rounds = 0;
  const loop = startLoop({
    intervalMs: 3_600_000,
    round: async () => {
      rounds++;
      if (rounds === 1) return 1; // one millisecond instead of the hour
      throw new Error("claim failed");
    },
    onError: () => ({ backoffMs: 3_600_000 }),
  });
  await until(() => rounds === 2, "the second round ran after a 1 ms wait");
  loop.wake();
  await settle();
  expect(rounds).toBe(2);
});
