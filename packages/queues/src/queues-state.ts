// The queues of one context: what this process registered, what the database defines for the
// application, which of them this process serves, and their runners. Lives as an extension.
import { DurablyError } from "@durably/sysdb";
import {
  enqueuedChannel,
  listQueuePauses,
  listQueueRecords,
  queuePausesChannel,
  listUnservedQueueNames,
  promoteDelayedWorkflows,
  upsertQueue,
  type QueueSettings,
} from "@durably/sysdb/queries";
import {
  extensionHost,
  BackgroundLoop,
  setWorkerSlotsSource,
  type ExtensionHost,
  type QueueSlots,
} from "@durably/core/extension";
import { type DBOSContext, registerExtension } from "@durably/core";
import { QueueRunner } from "./queue-runner.js";

/** Identifies this package's state in each context (ExtensionHost.extensionState). */
const stateKey = {};
/** Ticks between two checks for enqueued work on queues nobody defined. */
const unservedCheckEvery = 10;

/** The queues state of a context, created (and plugged in as an extension) on first use. */
export function queuesState(ctx: DBOSContext): QueuesState {
  const host = extensionHost(ctx);
  let state = host.extensionState<QueuesState>(stateKey);
  if (state === undefined) {
    state = host.extensionState(stateKey, () => new QueuesState(host));
    if (host.isClient) return state; // a client only reads and writes definitions
    const created = state;
    // Read only when an observer samples (durably.queue.worker.slots of @durably/otel).
    setWorkerSlotsSource(ctx, () => created.slots());
    const launched = host.state === "launched";
    registerExtension(ctx, {
      name: "@durably/queues",
      onLaunch: () => created.start(),
      onRecovered: async () => created.startRunners(),
      onShutdown: () => created.stop(),
    });
    if (launched) {
      void created
        .start()
        .then(() => created.startRunners())
        .catch((error: unknown) => host.logger.error("queues failed to start", { error }));
    }
  }
  return state;
}

export class QueuesState {
  readonly #host: ExtensionHost;
  /** Queues registered in this process, by name. */
  readonly local = new Map<string, QueueSettings>();
  /** Queue definitions of this application in the database, refreshed every tick. */
  #defined = new Map<string, QueueSettings>();
  /** The queues this process serves; undefined means all of the application's. */
  listen: Set<string> | undefined;
  readonly #runners = new Map<string, QueueRunner>();
  /** Paused queues (durably_queue_pauses), re-read every tick and on each pause or resume's NOTIFY. */
  #paused = new Set<string>();
  /** Queues whose pause or resume was just announced and whose state is being re-read. */
  readonly #changing = new Set<string>();
  readonly #warnedUnserved = new Set<string>();
  readonly #supervisor: BackgroundLoop;
  #ticks = 0;
  /** The wait before the next tick when a delayed workflow is due sooner than the interval. */
  #nextTickMs: number | undefined;
  #started = false;
  /** Runners start only after launch recovered this executor's workflows: recovery re-enqueues
   * this executor's PENDING queue rows, and must not take rows a runner just claimed. */
  #serving = false;
  #unsubscribe: Array<() => void> = [];

  constructor(host: ExtensionHost) {
    this.#host = host;
    this.#supervisor = new BackgroundLoop({
      logger: host.logger,
      failureMessage: "queue supervisor tick failed; will retry",
      intervalMs: () => host.pollIntervalMs,
      round: () => this.#supervise(),
      // A delayed workflow promoted before the failure still wakes the next tick early.
      onError: (error) => {
        host.logger.warn("queue supervisor tick failed; will retry", { error });
        return this.#nextTickMs;
      },
    });
  }

  get started(): boolean {
    return this.#started;
  }

  /** The settings a runner uses: this process's registration first, else the database's. */
  /** The worker slots of each queue this process serves: how many run here, of its worker concurrency. */
  slots(): QueueSlots[] {
    return [...this.#runners.values()].map((runner) => ({
      queueName: runner.name,
      workerConcurrency: this.settingsOf(runner.name)?.workerConcurrency ?? null,
      busy: runner.busy,
    }));
  }

  settingsOf(name: string): QueueSettings | undefined {
    return this.local.get(name) ?? this.#defined.get(name);
  }

  /** True while `name` is paused, as last read from the database. */
  isPaused(name: string): boolean {
    return this.#paused.has(name) || this.#changing.has(name);
  }

  /** Re-reads the paused queues; wakes the runners of queues that were resumed. */
  async refreshPauses(): Promise<void> {
    const paused = new Set((await listQueuePauses(this.#host.sysdb)).map((p) => p.queueName));
    const resumed = [...this.#paused].filter((name) => !paused.has(name));
    this.#paused = paused;
    for (const name of resumed) this.#runners.get(name)?.poke();
  }

  /** Writes a queue definition; throws when another application owns the name. */
  async save(settings: QueueSettings): Promise<void> {
    const host = this.#host;
    if (host.applicationScope === undefined) {
      throw new DurablyError(
        "INVALID_CONFIG",
        "Queues belong to an application: create the client with { appName } to register one.",
      );
    }
    const saved = await upsertQueue(host.sysdb, settings, host.appName, host.now());
    if (!saved) {
      throw new DurablyError(
        "REGISTRATION",
        `Queue ${settings.name} belongs to another application in this system database; queue names are ` +
          `unique across applications. Choose another name.`,
      );
    }
    this.#defined.set(settings.name, settings);
    this.#ensureRunners();
  }

  async start(): Promise<void> {
    const host = this.#host;
    for (const settings of this.local.values()) await this.save(settings);
    const poke = (queue: string) => this.#runners.get(queue)?.poke();
    this.#unsubscribe = [
      host.sysdb.listener.subscribe(enqueuedChannel, poke),
      host.sysdb.listener.subscribe(queuePausesChannel, (queue) => {
        // Held back until the re-read says which it was: an enqueue NOTIFY right behind a pause must not
        // wake a claim in between.
        this.#changing.add(queue);
        this.refreshPauses()
          .catch((error: unknown) => host.logger.warn("reading paused queues failed; the next tick retries", { error }))
          .finally(() => {
            this.#changing.delete(queue);
            this.#runners.get(queue)?.poke();
          });
      }),
      host.notifier.onLocal(enqueuedChannel, poke),
      host.sysdb.listener.onReconnect(() => {
        for (const runner of this.#runners.values()) runner.poke();
      }),
    ];
    await this.#refresh();
    this.#started = true;
    this.#supervisor.start();
  }

  async stop(): Promise<void> {
    const stopping = this.#supervisor.stop();
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    await stopping;
    await Promise.all([...this.#runners.values()].map((r) => r.stop()));
    this.#runners.clear();
  }

  /** Every tick: promote due delayed workflows, reload definitions, warn about unserved queues.
   * Returns the wait until the next tick: sooner than the interval when a delayed workflow is due. */
  async #supervise(): Promise<number | undefined> {
    const host = this.#host;
    const tick = ++this.#ticks;
    this.#nextTickMs = undefined;
    const { queues, nextDueInMs } = await promoteDelayedWorkflows(host.sysdb, host.appName);
    for (const queue of queues) host.notifier.notify(enqueuedChannel, queue);
    if (nextDueInMs !== null) this.#nextTickMs = Math.min(host.pollIntervalMs, Math.max(5, nextDueInMs));
    await this.#refresh();
    if (tick % unservedCheckEvery === 0) await this.#warnUnserved();
    return this.#nextTickMs;
  }

  async #refresh(): Promise<void> {
    await this.refreshPauses();
    const records = await listQueueRecords(this.#host.sysdb, this.#host.appName);
    this.#defined = new Map(records.map((r) => [r.name, r]));
    this.#ensureRunners();
  }

  /** Starts serving (called once the context is launched and has recovered its workflows). */
  startRunners(): void {
    this.#serving = true;
    this.#ensureRunners();
  }

  #ensureRunners(): void {
    if (!this.#serving || this.#supervisor.signal.aborted) return;
    for (const name of new Set([...this.local.keys(), ...this.#defined.keys()])) {
      if (this.listen !== undefined && !this.listen.has(name)) continue;
      if (this.#runners.has(name)) continue;
      const runner = new QueueRunner(
        this.#host,
        name,
        () => this.settingsOf(name),
        () => this.isPaused(name),
      );
      this.#runners.set(name, runner);
      runner.start();
    }
  }

  async #warnUnserved(): Promise<void> {
    const known = [...new Set([...this.local.keys(), ...this.#defined.keys()])];
    for (const queue of await listUnservedQueueNames(this.#host.sysdb, this.#host.appName, known)) {
      if (queue.startsWith("_dbos_") || this.#warnedUnserved.has(queue)) continue;
      this.#warnedUnserved.add(queue);
      this.#host.logger.warn("workflows are enqueued on a queue that no one has registered; they wait until it is", {
        queue,
      });
    }
  }
}
