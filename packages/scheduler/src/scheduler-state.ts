// The scheduler of one process: keeps a timer per ACTIVE schedule of the application, enqueues
// each tick when it comes (by the database's clock, so a skewed host fires on time), and re-reads
// the schedules table periodically so edits from anywhere are picked up.
import {
  listScheduleRecords,
  measureClockOffset,
  recordScheduleFired,
  type ScheduleRecord,
} from "@durably/sysdb/queries";
import { registerExtension, type DBOSContext } from "@durably/core";
import { extensionHost, BackgroundLoop, type ExtensionHost } from "@durably/core/extension";
import { CronSchedule } from "./cron-schedule.js";
import { enqueueTick } from "./enqueue-tick.js";

/** Identifies this package's state in each context (ExtensionHost.extensionState). */
const stateKey = {};
const maxTimerMs = 2 ** 31 - 1;

export interface SchedulerOptions {
  /** How often the schedules table is re-read, so edits made elsewhere take effect. Default 5 000 ms. */
  readonly pollingIntervalMs?: number;
}

/** The running scheduler of a context, if `startScheduler` was called. */
export function schedulerOf(ctx: DBOSContext): SchedulerState | undefined {
  return extensionHost(ctx).extensionState<SchedulerState>(stateKey);
}

export function createSchedulerState(ctx: DBOSContext, options: SchedulerOptions): SchedulerState {
  const state = extensionHost(ctx).extensionState(
    stateKey,
    () => new SchedulerState(ctx, options.pollingIntervalMs ?? 5_000),
  );
  registerExtension(ctx, {
    name: "@durably/scheduler",
    onRecovered: async () => state.start(),
    onShutdown: () => state.stop(),
  });
  return state;
}

interface Installed {
  readonly signature: string;
  readonly cron: CronSchedule;
  timer: NodeJS.Timeout | undefined;
}

export class SchedulerState {
  readonly #ctx: DBOSContext;
  readonly #host: ExtensionHost;
  readonly #installed = new Map<string, Installed>();
  readonly #warned = new Set<string>();
  /** Re-reads the schedules table every polling interval. */
  readonly #loop: BackgroundLoop;
  /** Database clock minus this host's clock. */
  #offsetMs = 0;

  constructor(ctx: DBOSContext, pollingIntervalMs: number) {
    this.#ctx = ctx;
    this.#host = extensionHost(ctx);
    this.#loop = new BackgroundLoop({
      logger: this.#host.logger,
      failureMessage: "could not read the schedules; will retry",
      intervalMs: pollingIntervalMs,
      round: async () => {
        this.#offsetMs = await measureClockOffset(this.#host.sysdb);
        await this.#reconcile(await listScheduleRecords(this.#host.sysdb, this.#host.appName));
      },
    });
  }

  start(): void {
    this.#loop.start();
  }

  /** Re-reads the schedules now (after a local edit). */
  poke(): void {
    this.#loop.wake();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
    for (const installed of this.#installed.values()) clearTimeout(installed.timer);
    this.#installed.clear();
  }

  #now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  async #reconcile(records: readonly ScheduleRecord[]): Promise<void> {
    const active = new Map(records.filter((r) => r.status === "ACTIVE").map((r) => [r.name, r]));
    for (const [name, installed] of this.#installed) {
      const record = active.get(name);
      if (record === undefined || signature(record) !== installed.signature) {
        clearTimeout(installed.timer);
        this.#installed.delete(name);
      }
    }
    for (const record of active.values()) {
      if (this.#installed.has(record.name) || this.#loop.signal.aborted) continue;
      await this.#install(record);
    }
  }

  async #install(record: ScheduleRecord): Promise<void> {
    const host = this.#host;
    let cron: CronSchedule;
    try {
      cron = new CronSchedule(record.cron, record.timezone ?? undefined, record.name);
    } catch (error) {
      this.#warnOnce(`cron:${record.name}`, "a schedule has an invalid cron expression or time zone; it does not run", {
        schedule: record.name,
        error,
      });
      return;
    }
    if (!host.workflowNames().includes(record.workflowName)) {
      this.#warnOnce(
        `workflow:${record.name}`,
        "a schedule's workflow is not registered in this process; its ticks wait for a process that has it",
        {
          schedule: record.name,
          workflow: record.workflowName,
        },
      );
    }
    const installed: Installed = { signature: signature(record), cron, timer: undefined };
    this.#installed.set(record.name, installed);
    if (record.automaticBackfill && record.lastFiredAt !== null) {
      const missed = cron.ticksBetween(
        new Date(Date.parse(record.lastFiredAt) + 1),
        new Date(this.#now().getTime() + 1),
      );
      if (missed.length > 0)
        host.logger.info("backfilling missed ticks", { schedule: record.name, ticks: missed.length });
      for (const tick of missed) await this.#fire(record, tick);
    }
    this.#arm(record, installed, this.#now());
  }

  #arm(record: ScheduleRecord, installed: Installed, after: Date): void {
    const tick = installed.cron.nextAfter(after);
    if (tick === undefined || this.#loop.signal.aborted || this.#installed.get(record.name) !== installed) return;
    const check = () => {
      if (this.#installed.get(record.name) !== installed) return;
      const waitMs = tick.getTime() - this.#now().getTime();
      if (waitMs > 0) {
        installed.timer = setTimeout(check, Math.min(waitMs, maxTimerMs));
        return;
      }
      void this.#fire(record, tick).finally(() => this.#arm(record, installed, tick));
    };
    check();
  }

  async #fire(record: ScheduleRecord, tick: Date): Promise<void> {
    try {
      await enqueueTick(this.#ctx, record, tick);
      await recordScheduleFired(this.#host.sysdb, record.name, tick.toISOString());
    } catch (error) {
      if (!this.#loop.signal.aborted)
        this.#host.logger.error("could not enqueue a scheduled tick", {
          schedule: record.name,
          tick: tick.toISOString(),
          error,
        });
    }
  }

  #warnOnce(key: string, message: string, fields: Record<string, unknown>): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#host.logger.warn(message, fields);
  }
}

function signature(r: ScheduleRecord): string {
  return JSON.stringify([r.cron, r.timezone, r.workflowName, r.queueName, r.context, r.automaticBackfill]);
}
