// The state one DBOSContext owns: config, workflow registry, system database, running workflows,
// extensions and background loops. No module-level state: two contexts never see each other.
import { setMaxListeners } from "node:events";
import { DurablyError, type SystemDatabase } from "@durably/sysdb";
import type { ExecutorIdentity } from "@durably/sysdb/queries";
import type { ResolvedConfig } from "./config.js";
import type { GroupCommit } from "./group-commit.js";
import type { Notifier } from "./notifier.js";
import type { ExecutorLease } from "./executor-lease.js";
import type { DurablyExtension } from "./extension.js";
import type { Instrumentation } from "./instrumentation.js";
import type { AnyWorkflow } from "./workflow.js";
import type { WorkflowRun } from "./workflow-run.js";

export type LifecycleState = "created" | "launching" | "launched" | "shutting-down" | "shut-down";

/** How a run in this process ended, as its waiting handles see it. */
export type RunOutcome =
  | { readonly kind: "success"; readonly value: unknown }
  | { readonly kind: "error"; readonly error: unknown };

export interface ActiveRun {
  readonly run: WorkflowRun;
  /** Settles when the run finished and its outcome (its own or an adopted one) is known. */
  readonly outcome: Promise<RunOutcome>;
}

export class Runtime {
  readonly config: ResolvedConfig;
  readonly registry = new Map<string, AnyWorkflow>();
  /** Identity of this registry, stamped on every workflow it registers. */
  readonly registryBrand = Object.freeze({});
  readonly extensions: DurablyExtension[] = [];
  readonly active = new Map<string, ActiveRun>();
  /** Background tasks' stop functions, called at shutdown in reverse order. */
  readonly stoppers: Array<() => Promise<void> | void> = [];
  state: LifecycleState = "created";
  /** This process's executor lease, from launch on; a client has none. */
  lease: ExecutorLease | undefined;
  /** An observer's hooks (setInstrumentation); undefined costs each hook point one branch. */
  instrumentation: Instrumentation | undefined;
  readonly #shutdown = (() => {
    const controller = new AbortController();
    // Every waiting handle listens to it; many waiters are normal, not a leak.
    setMaxListeners(0, controller.signal);
    return controller;
  })();
  #sysdb: SystemDatabase | undefined;
  #groupCommit: GroupCommit | undefined;
  #notifier: Notifier | undefined;
  #applicationVersion: string | undefined;

  constructor(config: ResolvedConfig) {
    this.config = config;
  }

  /** Aborted when shutdown begins: every wait of this context listens to it. */
  get shutdownSignal(): AbortSignal {
    return this.#shutdown.signal;
  }

  beginShutdown(): void {
    this.#shutdown.abort(new DurablyError("LIFECYCLE", "This durably context is shutting down."));
  }

  /** True for a client: it connects and manages, but runs, recovers and serves nothing. */
  get isClient(): boolean {
    return this.config.client;
  }

  /** The application whose rows listings and claims cover; undefined for a nameless client (all). */
  get applicationScope(): string | undefined {
    return this.config.appName === "" ? undefined : this.config.appName;
  }

  get logger() {
    return this.config.logger;
  }

  now(): number {
    return this.config.clock.now();
  }

  /** The system database; only after launch. */
  get sysdb(): SystemDatabase {
    if (this.#sysdb === undefined) throw this.notLaunched();
    return this.#sysdb;
  }

  /** Batches checkpoint and outcome writes of all running workflows. */
  get groupCommit(): GroupCommit {
    if (this.#groupCommit === undefined) throw this.notLaunched();
    return this.#groupCommit;
  }

  /** Coalesced wake-ups for other processes (and this one). */
  get notifier(): Notifier {
    if (this.#notifier === undefined) throw this.notLaunched();
    return this.#notifier;
  }

  /** This executor's version (a client's configured one, or null: "any latest executor"). */
  get applicationVersion(): string {
    if (this.#applicationVersion === undefined) throw this.notLaunched();
    return this.#applicationVersion;
  }

  /** The version recorded on workflows this context enqueues: a client leaves it to the executors. */
  get enqueueVersion(): string | null {
    if (this.isClient) return this.config.applicationVersion ?? null;
    return this.applicationVersion;
  }

  /** Who claims workflows for this process: executor ID, lease, version and application. Only after launch. */
  executorIdentity(): ExecutorIdentity {
    if (this.lease === undefined) throw this.notLaunched();
    return this.lease.identity();
  }

  /** A fresh owner token for a run this process starts (it names the lease; a client's never run). */
  ownerToken(): string {
    if (this.lease === undefined) throw this.notLaunched();
    return this.lease.ownerToken();
  }

  /** The versions this process runs: its own, then its config's compatibleVersions. */
  get servedVersions(): readonly string[] {
    const own = this.applicationVersion;
    return [own, ...this.config.compatibleVersions.filter((version) => version !== own)];
  }

  /** Called by launch once the database is ready. */
  attach(sysdb: SystemDatabase, groupCommit: GroupCommit, notifier: Notifier, applicationVersion: string): void {
    this.#sysdb = sysdb;
    this.#groupCommit = groupCommit;
    this.#notifier = notifier;
    this.#applicationVersion = applicationVersion;
  }

  /** Throws unless the context is launched and not shutting down. */
  assertRunning(what: string): void {
    if (this.state === "launched") return;
    if (this.state === "created" || this.state === "launching") {
      throw new DurablyError(
        "LIFECYCLE",
        `Cannot ${what} before launch(ctx) has finished. Call and await launch(ctx) first.`,
      );
    }
    throw new DurablyError("LIFECYCLE", `Cannot ${what}: this context has been shut down. Create a new context.`);
  }

  notLaunched(): DurablyError {
    return new DurablyError("LIFECYCLE", "This durably context is not launched. Call and await launch(ctx) first.");
  }
}
