// receiveEvents: the one place of the exactly-once rule. Each message starts the workflow whose ID
// its identity gives, and is acked only after that start committed; so a redelivery, a crash between
// start and ack, or a rebalance starts nothing twice, and no message is acked without its workflow.
import {
  type DBOSContext,
  DurablyError,
  isDurablyError,
  registerExtension,
  runWorkflow,
  type Workflow,
  type WorkflowHandle,
} from "@durably/core";
import { delayUnlessAborted, extensionHost } from "@durably/core/extension";
import { checkOptions, type OptionRules } from "@durably/sysdb";
import { decodeJson } from "./decode-json.js";
import type { Delivery, EventSource, ReceivedMessage } from "./event-source.js";

export interface ReceiveEventsOptions<Input> {
  /** The workflow each message starts: the value registerWorkflow returned. Required. */
  readonly workflow: Workflow<Input, unknown>;
  /** Turns a message into the workflow's input. Default: the body as UTF-8 JSON. A throw dead-letters it. */
  readonly decode?: (message: ReceivedMessage) => Input;
  /**
   * The workflow ID of a message; it must give the same ID on every delivery of the message.
   * Default: the message's broker identity (`message.id`, e.g. `nats:orders:42`).
   */
  readonly workflowID?: (message: ReceivedMessage, input: Input) => string;
  /** Enqueue each workflow on this queue (flow control) instead of starting it at once. Default: none. */
  readonly queue?: string | { readonly name: string };
  /** With a partitioned queue: each message's partition key (concurrency per key). Default: none. */
  readonly partitionKey?: (message: ReceivedMessage, input: Input) => string;
  /** How many messages are fetched and started at once. Default 50. */
  readonly batchSize?: number;
  /**
   * Run messages with the same key in the order the broker delivers them: each one's workflow ends
   * before the next one of that key starts, and a message is acked only when its workflow ended.
   * Needs one receiver per stream (or the broker's own per-key partitioning, as Kafka's). Default false.
   */
  readonly orderByKey?: boolean;
  /** With orderByKey: a message's key. Default: the broker's key (`message.key`: subject, routing key, Kafka key). */
  readonly orderKey?: (message: ReceivedMessage, input: Input) => string;
  /** Deliveries after which a message whose start keeps failing for a passing reason is dead-lettered. Default 5. */
  readonly maxDeliveries?: number;
}

/** What receiveEvents returns: counts so far, and stop. */
export interface EventReceiver {
  readonly name: string;
  /** Messages acked after their workflow's start (a redelivered message's start finds its workflow). */
  readonly acked: number;
  readonly deadLettered: number;
  /** Stops fetching, lets the messages in hand finish their start and ack, and closes the source. */
  stop(): Promise<void>;
}

const rules: OptionRules = {
  workflow: { type: "any", required: true },
  decode: { type: "function" },
  workflowID: { type: "function" },
  queue: { type: "name-or-named" },
  partitionKey: { type: "function" },
  batchSize: { type: "number", integer: true, min: 1, max: 1000 },
  orderByKey: { type: "boolean" },
  orderKey: { type: "function" },
  maxDeliveries: { type: "number", integer: true, min: 1, max: 1000 },
};

/** Start errors that no redelivery can fix: the message is dead-lettered with the error. */
const permanentCodes = new Set([
  "INVALID_ARGUMENT",
  "INVALID_NAME",
  "SERIALIZATION",
  "WORKFLOW_CONFLICT",
  "QUEUE_DEDUPLICATED",
]);

let receivers = 0;

/**
 * Starts receiving: every message of `source` starts `options.workflow` once, under a workflow ID
 * taken from the message, and is acked after the start committed. Call after launch; it stops at
 * shutdown (or with stop()).
 *
 * @example
 * const source = redisStreamSource({ client: new Redis(), stream: "orders", group: "workers" });
 * const receiver = await receiveEvents(dbos, source, { workflow: processOrder, batchSize: 100 });
 */
export async function receiveEvents<Input>(
  ctx: DBOSContext,
  source: EventSource,
  options: ReceiveEventsOptions<Input>,
): Promise<EventReceiver> {
  checkOptions("receiveEvents", options, rules);
  const workflow = options.workflow as Partial<Workflow<Input, unknown>> | undefined;
  if (typeof workflow !== "object" || workflow === null || typeof workflow.name !== "string") {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "receiveEvents: workflow must be the value registerWorkflow returned, e.g. { workflow: processOrder }.",
    );
  }
  if (typeof source?.fetch !== "function" || typeof source.close !== "function") {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "receiveEvents: the source must be an EventSource, e.g. natsJetStreamSource({ … }) or redisStreamSource({ … }).",
    );
  }
  if (options.partitionKey !== undefined && options.queue === undefined)
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "receiveEvents: partitionKey needs a (partitioned) queue: pass { queue }.",
    );
  if (options.orderKey !== undefined && options.orderByKey !== true)
    throw new DurablyError("INVALID_ARGUMENT", "receiveEvents: orderKey applies with orderByKey: true; pass both.");
  const host = extensionHost(ctx);
  host.assertRunning(`receive events from ${source.name}`);
  if (host.isClient && options.queue === undefined) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "receiveEvents: a client runs no workflow: pass { queue } so that workers run the workflows.",
    );
  }
  // Checked here: otherwise every message's start would fail alike and all would be dead-lettered.
  if (!host.workflowNames().includes(workflow.name)) {
    throw new DurablyError(
      "WORKFLOW_NOT_REGISTERED",
      `receiveEvents: workflow ${workflow.name} is not registered on this context; pass the value ` +
        "registerWorkflow returned for this context.",
    );
  }
  const receiver = new Receiver(ctx, source, options);
  registerExtension(ctx, { name: `events:${source.name}#${++receivers}`, onShutdown: () => receiver.stop() });
  receiver.start();
  return receiver;
}

interface Prepared<Input> {
  readonly delivery: Delivery;
  readonly workflowID: string;
  readonly input: Input;
  readonly orderKey: string;
}

class Receiver<Input> implements EventReceiver {
  readonly name: string;
  acked = 0;
  deadLettered = 0;
  readonly #ctx: DBOSContext;
  readonly #source: EventSource;
  readonly #options: ReceiveEventsOptions<Input>;
  readonly #abort = new AbortController();
  #loop: Promise<void> = Promise.resolve();
  #stopped: Promise<void> | undefined;

  constructor(ctx: DBOSContext, source: EventSource, options: ReceiveEventsOptions<Input>) {
    this.name = source.name;
    this.#ctx = ctx;
    this.#source = source;
    this.#options = options;
  }

  get #logger() {
    return extensionHost(this.#ctx).logger;
  }

  start(): void {
    this.#loop = this.#run();
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#abort.abort();
      await this.#loop;
      await this.#source.close().catch((error) => this.#logger.warn("events: closing the source failed", { error }));
    })();
    return this.#stopped;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    const batchSize = this.#options.batchSize ?? 50;
    let failures = 0;
    while (!signal.aborted) {
      let batch: Delivery[];
      try {
        batch = await this.#source.fetch(batchSize, signal);
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        // Backs off while the broker is unreachable; the adapter reconnects on the next fetch.
        const pauseMs = Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
        this.#logger.warn("events: fetching from the broker failed; retrying", {
          source: this.name,
          error,
          pauseMs,
        });
        await delayUnlessAborted(pauseMs, signal);
        continue;
      }
      if (batch.length > 0) await this.#handle(batch);
    }
  }

  async #handle(batch: readonly Delivery[]): Promise<void> {
    const ready: Prepared<Input>[] = [];
    const settled: Promise<void>[] = [];
    for (const delivery of batch) {
      const prepared = this.#prepare(delivery);
      if (typeof prepared === "string") settled.push(this.#deadLetter(delivery, prepared));
      else ready.push(prepared);
    }
    if (this.#options.orderByKey === true) {
      // Same key: one after the other, in delivery order; different keys: side by side.
      const byKey = new Map<string, Prepared<Input>[]>();
      for (const p of ready) byKey.set(p.orderKey, [...(byKey.get(p.orderKey) ?? []), p]);
      for (const group of byKey.values()) {
        settled.push(
          (async () => {
            for (const [i, p] of group.entries()) {
              if (await this.#startAndAck(p, true)) continue;
              // Given back: the later messages of its key go back too, so none overtakes it.
              for (const later of group.slice(i + 1)) await later.delivery.release().catch(() => undefined);
              return;
            }
          })(),
        );
      }
    } else {
      for (const p of ready) settled.push(this.#startAndAck(p, false).then(() => undefined));
    }
    await Promise.all(settled);
  }

  /** The message's workflow ID and input, or why it cannot have a workflow (it is then dead-lettered). */
  #prepare(delivery: Delivery): Prepared<Input> | string {
    const message = delivery.message;
    const options = this.#options;
    let input: Input;
    try {
      input = options.decode === undefined ? (decodeJson(message) as Input) : options.decode(message);
    } catch (error) {
      return `cannot decode the message: ${describe(error)}`;
    }
    let workflowID: string | undefined;
    try {
      workflowID = options.workflowID === undefined ? message.id : options.workflowID(message, input);
    } catch (error) {
      return `the workflowID function threw: ${describe(error)}`;
    }
    if (typeof workflowID !== "string" || workflowID === "") {
      return message.id === undefined
        ? "the message has no identity (e.g. a RabbitMQ message without messageId) and no workflowID function gave one"
        : `the workflowID function returned ${JSON.stringify(workflowID)}, not a non-empty string`;
    }
    let orderKey = "";
    if (options.orderByKey === true) {
      try {
        orderKey = options.orderKey === undefined ? (message.key ?? "") : options.orderKey(message, input);
      } catch (error) {
        return `the orderKey function threw: ${describe(error)}`;
      }
    }
    return { delivery, workflowID, input, orderKey };
  }

  /** Starts the message's workflow, then acks it; false if the message was given back instead. */
  async #startAndAck(p: Prepared<Input>, ordered: boolean): Promise<boolean> {
    const { delivery, workflowID, input } = p;
    const options = this.#options;
    let handle: WorkflowHandle<unknown>;
    try {
      const partitionKey = options.partitionKey?.(delivery.message, input);
      handle = await runWorkflow(this.#ctx, options.workflow, input, {
        workflowID,
        ...(options.queue === undefined ? {} : { queue: options.queue }),
        ...(partitionKey === undefined ? {} : { partitionKey }),
      });
    } catch (error) {
      const code = isDurablyError(error) ? error.code : undefined;
      const deliveries = delivery.message.deliveryCount;
      if (code !== undefined && permanentCodes.has(code)) {
        await this.#deadLetter(delivery, `starting workflow ${workflowID} failed: ${describe(error)}`);
        return true;
      }
      if (deliveries >= (options.maxDeliveries ?? 5) && code !== "LIFECYCLE") {
        await this.#deadLetter(
          delivery,
          `starting workflow ${workflowID} failed on ${deliveries} deliveries: ${describe(error)}`,
        );
        return true;
      }
      this.#logger.warn("events: starting a workflow failed; the message goes back to the broker", {
        source: this.name,
        workflowID,
        error,
      });
      await delivery.release().catch(() => undefined);
      return false;
    }
    if (ordered && !(await this.#awaitEnd(handle, delivery))) {
      await delivery.release().catch(() => undefined);
      return false;
    }
    try {
      await delivery.ack();
      this.acked++;
    } catch (error) {
      // Harmless: the broker delivers it again, and that start finds the workflow.
      this.#logger.warn("events: ack failed; the redelivery will find the workflow", {
        source: this.name,
        workflowID,
        error,
      });
    }
    return true;
  }

  /** Waits until the workflow ended (however), telling the broker the message is in progress; false at stop. */
  async #awaitEnd(handle: WorkflowHandle<unknown>, delivery: Delivery): Promise<boolean> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        await handle.getResult({ timeoutMs: 2_000 });
        return true;
      } catch (error) {
        if (isDurablyError(error, "TIMEOUT")) {
          await delivery.inProgress().catch(() => undefined);
          continue;
        }
        if (isDurablyError(error, "LIFECYCLE")) return false;
        return true; // the workflow ended with an error: it ran, and the next one may start
      }
    }
    return false;
  }

  async #deadLetter(delivery: Delivery, reason: string): Promise<void> {
    try {
      await delivery.deadLetter(reason);
      this.deadLettered++;
      this.#logger.warn("events: message dead-lettered", { source: this.name, id: delivery.message.id, reason });
    } catch (error) {
      // Not acked: it comes back and is dead-lettered then.
      this.#logger.error("events: dead-lettering failed; the message stays unacked", {
        source: this.name,
        id: delivery.message.id,
        reason,
        error,
      });
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
