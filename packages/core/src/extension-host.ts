// The one view of a context that add-on packages get (durably's queues, notifications, scheduler
// and datasource, and anyone's own): the system database, logger, clock, wake-ups, shutdown
// signal, lifecycle checks, executor identity, and per-context state. Nothing else of core's
// runtime is reachable from outside it.
import { DurablyError, type SystemDatabase } from "@durably/sysdb";
import type { ExecutorIdentity, WorkflowRecord } from "@durably/sysdb/queries";
import { DBOSContext } from "./dbos-context.js";
import type { Logger } from "./logger.js";
import type { Instrumentation } from "./instrumentation.js";
import type { LocalListener } from "./notifier.js";
import { resumeClaimedWorkflows } from "./resume-claimed-workflow.js";
import type { LifecycleState, Runtime } from "./runtime.js";
import type { SerializationFormat } from "./serialization/index.js";

/** Wake-ups for waiting readers, in this process at once and in others by NOTIFY. */
export interface HostNotifier {
  /** Announces `payload` on `channel` to this process now and to every other process soon (coalesced). */
  notify(channel: string, payload: string): void;
  /** Tells this process's listeners only (when a database trigger already tells the others). */
  signalLocal(channel: string, payload: string): void;
  /** Hears this process's own notifications on `channel` at once; returns the unsubscribe function. */
  onLocal(channel: string, listener: LocalListener): () => void;
}

/** The workflow a context belongs to, as an extension needs it. */
export interface HostWorkflow {
  readonly workflowID: string;
  /** The serialization format of this run's values. */
  readonly format: SerializationFormat;
}

export interface ExtensionHost {
  /** The system database; only after launch. */
  readonly sysdb: SystemDatabase;
  readonly logger: Logger;
  /** Now, in epoch ms, by the context's clock. */
  now(): number;
  /** Wake-ups; only after launch. */
  readonly notifier: HostNotifier;
  /** Aborted when shutdown begins: every wait of an extension listens to it. */
  readonly shutdownSignal: AbortSignal;
  readonly state: LifecycleState;
  /** Throws a LIFECYCLE error naming `what` unless the context is launched and not shutting down. */
  assertRunning(what: string): void;
  /** True for a client from createClient: it runs, recovers and serves nothing. */
  readonly isClient: boolean;
  readonly appName: string;
  /** The application whose rows listings and claims cover; undefined for a nameless client (all). */
  readonly applicationScope: string | undefined;
  /** The configured serialization format of new values. */
  readonly serializer: SerializationFormat;
  /** How often to poll when no notification arrives, in ms. */
  readonly pollIntervalMs: number;
  /** The largest serialized value to store (config maxPayloadBytes): pass it to encodeValue. */
  readonly maxPayloadBytes: number;
  /** The version recorded on workflows this context enqueues (null: a client leaves it to the executors). */
  readonly enqueueVersion: string | null;
  /** Who claims workflows for this process (executor ID, lease, version, application); only after launch. */
  executorIdentity(): ExecutorIdentity;
  /** Names of the workflows registered on this context. */
  workflowNames(): string[];
  /** Runs workflows this process just claimed (for example dequeued); problems are logged, never thrown. */
  runClaimedWorkflows(records: readonly WorkflowRecord[]): Promise<void>;
  /** Settles when the run of `workflowID` in this process ends; undefined if it does not run here. */
  localRun(workflowID: string): Promise<unknown> | undefined;
  /** The observer installed with setInstrumentation; undefined when none (check it once, on the path). */
  readonly instrumentation: Instrumentation | undefined;
  /** The workflow `ctx` belongs to; undefined outside a workflow. */
  workflowOf(ctx: DBOSContext): HostWorkflow | undefined;
  /**
   * This context's state of the extension identified by `key` (an object the extension keeps):
   * created by `create` on first use; without `create`, undefined until then.
   */
  extensionState<T>(key: object, create: () => T): T;
  extensionState<T>(key: object): T | undefined;
}

const hosts = new WeakMap<Runtime, ExtensionHost>();

/**
 * The host of `ctx`'s context, for an extension's functions.
 *
 * @example
 * const host = extensionHost(ctx);
 * host.assertRunning("send a message");
 * await sendMessage(host.sysdb, ...);
 */
export function extensionHost(ctx: DBOSContext): ExtensionHost {
  if (!(ctx instanceof DBOSContext)) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "Expected a DBOSContext (from createDBOSContext or createClient, or a workflow's context).",
    );
  }
  const runtime = ctx.runtime;
  let host = hosts.get(runtime);
  if (host === undefined) hosts.set(runtime, (host = hostOf(runtime)));
  return host;
}

function hostOf(runtime: Runtime): ExtensionHost {
  const states = new Map<object, unknown>();
  return {
    get sysdb() {
      return runtime.sysdb;
    },
    logger: runtime.logger,
    now: () => runtime.now(),
    get notifier() {
      return runtime.notifier;
    },
    shutdownSignal: runtime.shutdownSignal,
    get state() {
      return runtime.state;
    },
    assertRunning: (what) => runtime.assertRunning(what),
    isClient: runtime.isClient,
    appName: runtime.config.appName,
    applicationScope: runtime.applicationScope,
    serializer: runtime.config.serializer,
    pollIntervalMs: runtime.config.pollIntervalMs,
    maxPayloadBytes: runtime.config.maxPayloadBytes,
    get enqueueVersion() {
      return runtime.enqueueVersion;
    },
    executorIdentity: () => runtime.executorIdentity(),
    workflowNames: () => [...runtime.registry.keys()],
    runClaimedWorkflows: (records) => resumeClaimedWorkflows(runtime, records),
    localRun: (workflowID) => runtime.active.get(workflowID)?.outcome,
    get instrumentation() {
      return runtime.instrumentation;
    },
    workflowOf: (ctx) =>
      ctx.run === undefined ? undefined : { workflowID: ctx.run.workflowID, format: ctx.run.format },
    extensionState<T>(key: object, create?: () => T): T | undefined {
      if (!states.has(key) && create !== undefined) states.set(key, create());
      return states.get(key) as T | undefined;
    },
  };
}
