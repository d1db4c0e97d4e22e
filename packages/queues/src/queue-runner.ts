// One queue's loop in one process: claim what the limits allow, run it, and claim again when
// work is enqueued (NOTIFY), a slot frees up, or the polling interval passes.
import {
  claimQueuedWorkflows,
  enqueuedChannel,
  listEnqueuedPartitions,
  type QueueSettings,
} from "@durably/sysdb/queries";
import { BackgroundLoop, type ExtensionHost } from "@durably/core/extension";

/** Claims per round when the queue sets no worker concurrency. */
const unboundedBatch = 100;
const maxBackoffMs = 30_000;

export class QueueRunner {
  readonly name: string;
  readonly #host: ExtensionHost;
  readonly #settings: () => QueueSettings | undefined;
  readonly #paused: () => boolean;
  /** Workflows of this queue running here, by partition key ("" when not partitioned). */
  readonly #running = new Map<string, Set<string>>();
  readonly #loop: BackgroundLoop;
  #backoffMs = 0;
  /**
   * Whether a slot freed here may let this process claim more: true when the last round left work
   * for lack of a local slot, or could not tell (paused, limits counted across workers). After a
   * round that took everything eligible, a freed slot has nothing to claim: new work comes with a
   * NOTIFY (or the poll), as it does for an idle worker, so its claim would be a wasted statement
   * (one per finished workflow, beside the outcome's NOTIFY on the way to a waiting client).
   */
  #slotBound = true;

  constructor(
    host: ExtensionHost,
    name: string,
    settings: () => QueueSettings | undefined,
    paused: () => boolean = () => false,
  ) {
    this.#host = host;
    this.name = name;
    this.#settings = settings;
    this.#paused = paused;
    this.#loop = new BackgroundLoop({
      logger: host.logger,
      failureMessage: "queue poll failed; backing off",
      intervalMs: () => (this.#settings()?.pollingIntervalSec ?? 1) * 1000,
      jitter: 0.05,
      round: () => this.#round(),
      // While backing off from errors, wake-ups wait too: only shutdown cuts the wait short.
      onError: (error) => {
        this.#backoffMs = Math.min(maxBackoffMs, Math.max(100, this.#backoffMs * 2));
        host.logger.warn("queue poll failed; backing off", { queue: this.name, backoffMs: this.#backoffMs, error });
        return { backoffMs: this.#backoffMs };
      },
    });
  }

  /** How many of this queue's workflows run in this process now (its busy worker slots). */
  get busy(): number {
    return this.#runningTotal();
  }

  /** Makes the loop look for work now. */
  poke(): void {
    this.#loop.wake();
  }

  start(): void {
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  /** One round: claims what the limits allow; 0 (go again at once) when there may be more. */
  async #round(): Promise<number | undefined> {
    const settings = this.#settings();
    // A paused queue claims nothing; what runs here already goes on to its end.
    this.#slotBound = true;
    const more = settings !== undefined && !this.#paused() && (await this.#claimRound(settings));
    this.#backoffMs = 0;
    return more ? 0 : undefined;
  }

  /** Claims once per partition; true when a full batch came back (there may be more). */
  async #claimRound(settings: QueueSettings): Promise<boolean> {
    const host = this.#host;
    const partitions = settings.partitionQueue ? await listEnqueuedPartitions(host.sysdb, this.name) : [null];
    let more = false;
    // Limits counted over every worker (or over time) may open up when any slot frees, here or elsewhere.
    let slotBound =
      settings.concurrency !== null ||
      settings.partitionConcurrency !== null ||
      settings.rateLimitMax !== null ||
      settings.partitionRateLimitMax !== null;
    const rate = (max: number | null, periodSec: number | null) =>
      max === null ? null : { limit: max, periodSec: periodSec ?? 1 };
    for (const partitionKey of partitions) {
      const running = this.#runningIn(partitionKey ?? "");
      // The worker limits: queue-wide over every partition here, and per partition.
      let maxClaim =
        settings.workerConcurrency === null ? unboundedBatch : settings.workerConcurrency - this.#runningTotal();
      if (partitionKey !== null && settings.partitionWorkerConcurrency !== null) {
        maxClaim = Math.min(maxClaim, settings.partitionWorkerConcurrency - running.size);
      }
      if (maxClaim <= 0) {
        slotBound = true;
        continue;
      }
      const claimed = await claimQueuedWorkflows(host.sysdb, host.executorIdentity(), this.name, {
        maxClaim,
        concurrency: settings.concurrency,
        rateLimit: rate(settings.rateLimitMax, settings.rateLimitPeriodSec),
        partitionKey,
        partitionConcurrency: settings.partitionConcurrency,
        partitionRateLimit: rate(settings.partitionRateLimitMax, settings.partitionRateLimitPeriodSec),
        names: host.workflowNames(),
      });
      slotBound ||= claimed.length === maxClaim;
      if (claimed.length === 0) continue;
      more ||= claimed.length === maxClaim;
      await host.runClaimedWorkflows(claimed);
      const globallyLimited = settings.concurrency !== null || settings.partitionConcurrency !== null;
      for (const { workflowID } of claimed) this.#track(workflowID, running, globallyLimited);
    }
    this.#slotBound = slotBound;
    return more;
  }

  #track(workflowID: string, running: Set<string>, globallyLimited: boolean): void {
    const active = this.#host.localRun(workflowID);
    if (active === undefined) return; // already finished, dead-lettered or not runnable here
    running.add(workflowID);
    const done = () => {
      running.delete(workflowID);
      if (this.#slotBound) this.poke();
      // Other workers count this queue's PENDING rows: tell them a slot is free.
      if (globallyLimited && !this.#loop.signal.aborted) this.#host.notifier.notify(enqueuedChannel, this.name);
    };
    void active.then(done, done);
  }

  #runningTotal(): number {
    let total = 0;
    for (const set of this.#running.values()) total += set.size;
    return total;
  }

  #runningIn(partitionKey: string): Set<string> {
    let set = this.#running.get(partitionKey);
    if (set === undefined) this.#running.set(partitionKey, (set = new Set()));
    return set;
  }
}
