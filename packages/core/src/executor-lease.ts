// This process's lease on its executor identity (sysdb's executor-leases.ts): registered at
// launch, renewed in the background on the database clock, released at shutdown. Each round also
// adopts the workflows of processes whose lease ended. A run starts a step only while the lease
// is known to be fresh, so a process that was paused past the lapse (SIGSTOP, a long GC pause, a
// partition) runs nothing more for the workflows others adopted: it learns first, then stops them.
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import {
  claimOrphanedWorkflows,
  leaseEndedChannel,
  newLeaseID,
  ownerTokenOf,
  registerLease,
  releaseLease,
  renewLease,
  leasesOfExecutorOnHost,
  replaceLeasesOfExecutor,
  requeueOrphanedWorkflows,
  type ExecutorIdentity,
  type LeaseRegistration,
} from "@durably/sysdb/queries";
import { BackgroundLoop } from "./background-loop.js";
import { withDatabaseRetry } from "./database-retry.js";
import { resumeClaimedWorkflows } from "./resume-claimed-workflow.js";
import { upgradeStrandedVersions } from "./stranded-versions.js";
import type { Runtime } from "./runtime.js";
import type { WorkflowRun } from "./workflow-run.js";

/** Ended leases are remembered this many lapses, so rows their processes wrote late are adopted too. */
const keepEndedLapses = 6;
/** Every this many rounds, look for rows of leases already forgotten (written very late). */
const sweepEveryRounds = 5;

export class ExecutorLease {
  readonly #runtime: Runtime;
  readonly #loop: BackgroundLoop;
  #registration: LeaseRegistration;
  /** performance.now() until which no other process can have judged this lease lapsed. */
  #freshUntil = 0;
  #confirming: Promise<void> | undefined;
  /** Set while a lost lease's successor is being registered: renewals wait for its row. */
  #replacing: Promise<void> | undefined;
  #rounds = 0;
  #unsubscribe: (() => void) | undefined;

  constructor(runtime: Runtime) {
    this.#runtime = runtime;
    this.#registration = this.#newRegistration();
    this.#loop = new BackgroundLoop({
      logger: runtime.logger,
      failureMessage: "executor lease renewal failed; will retry",
      intervalMs: runtime.config.leaseRenewMs,
      jitter: 0.1,
      waitFirst: true,
      round: () => this.#round(),
    });
  }

  /** The lease's ID (sysdb's newLeaseID). */
  get leaseID(): string {
    return this.#registration.leaseID;
  }

  /** A fresh owner token for a run of this process: it names this lease. */
  ownerToken(): string {
    return ownerTokenOf(this.leaseID);
  }

  /** Who claims workflows for this process. */
  identity(): ExecutorIdentity {
    const runtime = this.#runtime;
    return {
      executorID: runtime.config.executorId,
      leaseID: this.leaseID,
      applicationVersion: runtime.applicationVersion,
      servedVersions: runtime.servedVersions,
      applicationName: runtime.config.appName,
      now: runtime.now(),
    };
  }

  /**
   * Registers the lease. With an explicit executor ID, ends the leases of earlier processes with
   * that ID (this process is that executor), so launch recovers their workflows at once. With the
   * default ID, which many processes may share, it ends only the leases of this host whose process
   * has exited (a restart); the others' workflows wait for their lease to lapse.
   */
  async register(): Promise<void> {
    const runtime = this.#runtime;
    const sentAt = performance.now();
    await withDatabaseRetry("register the executor lease", () => registerLease(runtime.sysdb, this.#registration), {
      logger: runtime.logger,
      signal: runtime.shutdownSignal,
    });
    this.#freshUntil = sentAt + this.#validityMs();
    const retry = { logger: runtime.logger, signal: runtime.shutdownSignal };
    let replaced: number;
    if (runtime.config.executorIdIsDefault) {
      // Shared by any number of processes: only a lease of this host whose process is gone is
      // surely dead (a restart of the same program), so its workflows need not wait for the lapse.
      const onHost = await withDatabaseRetry(
        "find this host's earlier leases",
        () => leasesOfExecutorOnHost(runtime.sysdb, this.#registration),
        retry,
      );
      const dead = onHost.filter((lease) => lease.pid !== process.pid && !processExists(lease.pid));
      replaced = await withDatabaseRetry(
        "replace the leases of this host's exited processes",
        () =>
          replaceLeasesOfExecutor(
            runtime.sysdb,
            this.#registration,
            dead.map((lease) => lease.leaseID),
          ),
        retry,
      );
    } else {
      replaced = await withDatabaseRetry(
        "replace this executor's earlier leases",
        () => replaceLeasesOfExecutor(runtime.sysdb, this.#registration),
        retry,
      );
    }
    if (replaced > 0) {
      runtime.logger.info("took over the executor ID from an earlier process", {
        executorID: runtime.config.executorId,
        replaced,
      });
    }
  }

  /** Starts renewing and adopting; a released lease wakes the loop to adopt at once. */
  start(): void {
    this.#unsubscribe = this.#runtime.sysdb.listener.subscribe(leaseEndedChannel, (application) => {
      if (application === this.#runtime.config.appName) this.#loop.wake();
    });
    this.#loop.start();
  }

  /** True while no other process can have adopted this process's workflows. Synchronous: checked before every step. */
  isFresh(): boolean {
    return performance.now() < this.#freshUntil;
  }

  /**
   * Stops `run` if its owner token names a lease this process has lost: its start or claim was
   * still in flight when the loss was learnt, so it missed the loss's sweep of the active runs
   * (the others may have adopted it since). Synchronous: checked before every step.
   */
  stopIfLost(run: WorkflowRun): void {
    const dot = run.ownerXid.indexOf(".");
    if (dot < 0 || run.ownerXid.slice(0, dot) === this.leaseID) return;
    const { workflowID, ownerXid } = run;
    this.#runtime.logger.debug("a run of a lost executor lease stops", { workflowID, ownerXid });
    run.stop("lost-ownership");
  }

  /**
   * Renews the lease now (once, for every caller waiting): called by a step that found the lease
   * stale. Resolves when the lease is fresh again, or after a lost lease stopped its runs.
   */
  confirm(): Promise<void> {
    this.#confirming ??= this.#renewUntilAnswered().finally(() => (this.#confirming = undefined));
    return this.#confirming;
  }

  /** Stops renewing and ends the lease, waking the other processes to adopt what is left. */
  async release(): Promise<void> {
    this.#unsubscribe?.();
    await this.#loop.stop();
    const runtime = this.#runtime;
    await releaseLease(runtime.sysdb, { leaseID: this.leaseID, applicationName: runtime.config.appName }).catch(
      (error: unknown) =>
        runtime.logger.warn(
          "could not release the executor lease; other processes adopt its workflows when it lapses",
          { error },
        ),
    );
  }

  async #round(): Promise<void> {
    this.#rounds++;
    const endedLeases = await this.#renew();
    const runtime = this.#runtime;
    if (runtime.state !== "launched") return;
    const sweep = this.#rounds % sweepEveryRounds === 0;
    if (endedLeases === 0 && !sweep) return;
    // A version whose last worker just ended is stranded from now on: upgrade it (opt-in).
    if (runtime.config.upgradeStrandedVersions) await upgradeStrandedVersions(runtime);
    const requeued = await requeueOrphanedWorkflows(runtime.sysdb, runtime.config.appName, runtime.now());
    const claimed = await claimOrphanedWorkflows(runtime.sysdb, { ...this.identity(), spread: endedLeases > 0 });
    if (requeued.length + claimed.length === 0) return;
    runtime.logger.info("adopted workflows of executors whose lease ended", {
      resumedHere: claimed.length,
      backToTheirQueue: requeued.length,
      leaseID: this.leaseID,
    });
    await resumeClaimedWorkflows(runtime, claimed, "adopted");
  }

  /** One renewal; returns how many ended leases may have workflows to adopt. */
  async #renew(): Promise<number> {
    const runtime = this.#runtime;
    await this.#replacing;
    const registration = this.#registration;
    const sentAt = performance.now();
    const renewal = await renewLease(runtime.sysdb, {
      leaseID: registration.leaseID,
      applicationName: runtime.config.appName,
      keepEndedLapses,
    });
    if (renewal.renewed) {
      if (registration === this.#registration) this.#freshUntil = sentAt + this.#validityMs();
      return renewal.endedLeases;
    }
    await this.#lost(registration);
    return renewal.endedLeases;
  }

  async #renewUntilAnswered(): Promise<void> {
    const runtime = this.#runtime;
    await withDatabaseRetry("renew the executor lease", () => this.#renew(), {
      logger: runtime.logger,
      signal: runtime.shutdownSignal,
      maxMs: Infinity,
    });
  }

  /**
   * The lease ended without this process knowing (it was paused or cut off past the lapse): other
   * processes own its workflows now. Stop their runs here, then carry on under a new lease.
   */
  async #lost(lost: LeaseRegistration): Promise<void> {
    // The loop's round and a step's confirm() can both find the lease ended: the first replaces
    // it; the other must not take the new lease for lost too (and stop the runs started under it).
    if (lost !== this.#registration || this.#replacing !== undefined) return this.#replacing;
    // Nothing is fresh until the successor is registered: a step waits for it (confirm), and then
    // stopIfLost stops the runs started meanwhile, under the lost lease's tokens.
    this.#freshUntil = 0;
    const runtime = this.#runtime;
    const prefix = `${lost.leaseID}.`;
    const stopped: string[] = [];
    for (const [workflowID, { run }] of runtime.active) {
      if (!run.ownerXid.startsWith(prefix)) continue;
      run.stop("lost-ownership");
      stopped.push(workflowID);
    }
    runtime.logger.warn(
      "executor lease lapsed: this process went without renewing it for longer than leaseLapseMs (paused, " +
        "overloaded or cut off " +
        "from the database), so other processes adopted its workflows; stopping them here and continuing " +
        "under a new lease",
      { leaseID: lost.leaseID, stopped: stopped.length, workflowIDs: stopped.slice(0, 20) },
    );
    this.#replacing = this.#registerSuccessor(this.#newRegistration()).finally(() => (this.#replacing = undefined));
    return this.#replacing;
  }

  async #registerSuccessor(successor: LeaseRegistration): Promise<void> {
    const runtime = this.#runtime;
    const sentAt = performance.now();
    await withDatabaseRetry("register a new executor lease", () => registerLease(runtime.sysdb, successor), {
      logger: runtime.logger,
      signal: runtime.shutdownSignal,
    });
    // Only a registered lease may name owners: to every other process's adoption, a row naming a
    // lease not yet in the table looks orphaned, and would run twice.
    this.#registration = successor;
    this.#freshUntil = sentAt + this.#validityMs();
  }

  /** How long after sending a renewal the lease is surely still live: a lapse, less one renewal as margin. */
  #validityMs(): number {
    return this.#runtime.config.leaseLapseMs - this.#runtime.config.leaseRenewMs;
  }

  #newRegistration(): LeaseRegistration {
    const { config } = this.#runtime;
    return {
      leaseID: newLeaseID(),
      executorID: config.executorId,
      applicationName: config.appName,
      applicationVersion: this.#runtime.applicationVersion,
      servedVersions: this.#runtime.servedVersions,
      hostname: hostname(),
      pid: process.pid,
      renewMs: config.leaseRenewMs,
      lapseMs: config.leaseLapseMs,
    };
  }
}

/** Whether a process with this PID runs on this host (EPERM: it does, as another user). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
