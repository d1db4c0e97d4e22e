// durably's Instrumentation hook over OpenTelemetry: spans for starts, enqueues, runs and steps, and
// the metrics of DurablyMetrics. Context continues through durably_trace_contexts across processes.
import {
  type Attributes,
  type Context,
  context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import type {
  EngineEvent,
  ExtensionHost,
  Instrumentation,
  MessageSendInfo,
  RunEnd,
  StepInfo,
  StepScope,
  WorkflowRunInfo,
  WorkflowRunScope,
  WorkflowStartInfo,
  WorkflowStartScope,
} from "@durably/core/extension";
import {
  getReceivedMessageTraceContext,
  getTraceContext,
  putMessageTraceContext,
  type TraceCarrier,
} from "@durably/sysdb/queries";
import { dbos, durably, messaging } from "./attribute-names.js";
import type { DurablyMetrics } from "./durably-metrics.js";
import { fromCarrier, toCarrier } from "./trace-carrier.js";

/** The messaging.system of durably's queues (a custom value, as the conventions allow). */
const messagingSystem = "durably";

export class OtelInstrumentation implements Instrumentation {
  readonly #tracer: Tracer | undefined;
  readonly #metrics: DurablyMetrics | undefined;
  readonly #host: ExtensionHost;
  /** Run spans of direct starts, begun before the insert (their context is what is stored), by workflow ID. */
  readonly #pending = new Map<string, Span>();

  constructor(tracer: Tracer | undefined, metrics: DurablyMetrics | undefined, host: ExtensionHost) {
    this.#tracer = tracer;
    this.#metrics = metrics;
    this.#host = host;
  }

  workflowStart(start: WorkflowStartInfo): WorkflowStartScope | undefined {
    const tracer = this.#tracer;
    if (tracer === undefined) return undefined;
    const parent = start.parent instanceof RunScope ? start.parent : undefined;
    const parentContext = parent?.context ?? context.active();
    const attributes: Attributes = {
      [dbos.workflowID]: start.workflowID,
      [dbos.operationName]: start.workflowName,
      ...(start.applicationVersion === null ? {} : { [dbos.applicationVersion]: start.applicationVersion }),
    };
    if (start.queueName !== null) {
      // Enqueue: a PRODUCER span whose context the queued run (a CONSUMER, anywhere) continues.
      const span = tracer.startSpan(
        `send ${start.queueName}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            ...attributes,
            [dbos.operationType]: "enqueue",
            [dbos.queueName]: start.queueName,
            [messaging.system]: messagingSystem,
            [messaging.operationType]: "send",
            [messaging.operationName]: "send",
            [messaging.destinationName]: start.queueName,
            [messaging.messageID]: start.workflowID,
            ...(parent === undefined || start.parentStepID === undefined
              ? {}
              : { [durably.stepID]: start.parentStepID }),
          },
        },
        parentContext,
      );
      return { traceContext: toCarrier(span.spanContext()), end: (inserted, error) => endStart(span, inserted, error) };
    }
    // A child's start is its parent's step; its run is a child of that step's span.
    const step =
      parent === undefined || start.parentStepID === undefined
        ? undefined
        : tracer.startSpan(
            start.workflowName,
            {
              attributes: {
                ...attributes,
                [dbos.workflowID]: parent.workflowID,
                [dbos.operationType]: "workflow",
                [durably.stepID]: start.parentStepID,
                "durably.child.workflow_id": start.workflowID,
              },
            },
            parentContext,
          );
    const runContext = step === undefined ? parentContext : trace.setSpan(parentContext, step);
    // The run's span starts now, so the context stored with the workflow is the run's own: a
    // recovered run links to it.
    const runSpan = tracer.startSpan(
      start.workflowName,
      { attributes: { ...attributes, [dbos.operationType]: "workflow" } },
      runContext,
    );
    this.#pending.set(start.workflowID, runSpan);
    return {
      traceContext: toCarrier(runSpan.spanContext()),
      end: (inserted, error) => {
        if (step !== undefined) endStart(step, inserted, error);
        if (!inserted || error !== undefined) {
          // Nothing runs under this span: the start failed, or the ID already had a workflow.
          this.#pending.delete(start.workflowID);
          endStart(runSpan, inserted, error);
        }
      },
    };
  }

  workflowRun(info: WorkflowRunInfo): WorkflowRunScope | Promise<WorkflowRunScope | undefined> | undefined {
    this.#metrics?.started.add(1, { [durably.workflowName]: info.workflowName, [durably.runOrigin]: info.origin });
    if (info.origin === "dequeued" && info.queueName !== null && info.createdAt !== undefined) {
      this.#metrics?.queueLatency.record(Math.max(0, this.#host.now() - info.createdAt) / 1000, {
        [dbos.queueName]: info.queueName,
      });
    }
    const tracer = this.#tracer;
    if (tracer === undefined) return this.#metrics === undefined ? undefined : new RunScope(info, undefined, this);
    const pending = info.origin === "started" ? this.#pending.get(info.workflowID) : undefined;
    if (pending !== undefined) {
      this.#pending.delete(info.workflowID);
      pending.setAttributes({ [dbos.executorID]: info.executorID, [durably.runOrigin]: info.origin });
      return this.#scope(info, pending);
    }
    if (info.origin === "started") return this.#scope(info, this.#runSpan(tracer, info, info.traceContext));
    // Started elsewhere (a client's enqueue, another process's run): read what its start stored.
    return getTraceContext(this.#host.sysdb, info.workflowID)
      .catch((error: unknown) => {
        this.#host.logger.warn("could not read a workflow's trace context", { workflowID: info.workflowID, error });
        return undefined;
      })
      .then((carrier) => this.#scope(info, this.#runSpan(tracer, info, carrier)));
  }

  messageSend(send: MessageSendInfo): StepScope | undefined {
    const tracer = this.#tracer;
    if (tracer === undefined) return undefined;
    const span = tracer.startSpan("DBOS.send", {
      kind: SpanKind.PRODUCER,
      attributes: {
        [dbos.operationType]: "send",
        [dbos.operationName]: "DBOS.send",
        [durably.destinationID]: send.destinationID,
        [messaging.system]: messagingSystem,
        [messaging.operationType]: "send",
        [messaging.messageID]: send.messageID,
      },
    });
    if (!span.isRecording()) {
      span.end();
      return undefined;
    }
    return new MessageSendScope(span, this.#host, send);
  }

  event(event: EngineEvent): void {
    const metrics = this.#metrics;
    if (metrics === undefined) return;
    if (event.kind === "checkpoint-batch") metrics.checkpointBatchSize.record(event.size);
    else if (event.origin !== "dequeued") metrics.recoveries.add(event.count, { [durably.runOrigin]: event.origin });
  }

  get tracer(): Tracer | undefined {
    return this.#tracer;
  }

  get metrics(): DurablyMetrics | undefined {
    return this.#metrics;
  }

  get host(): ExtensionHost {
    return this.#host;
  }

  /** A run's scope; undefined (so its steps cost one branch) when neither a span records nor metrics count. */
  #scope(info: WorkflowRunInfo, span: Span): WorkflowRunScope | undefined {
    if (!span.isRecording() && this.#metrics === undefined) {
      span.end();
      return undefined;
    }
    return new RunScope(info, span, this);
  }

  /**
   * The span of a run whose start was stored as `carrier`: a queued workflow's first run is the
   * CONSUMER child of its enqueue; a recovered, adopted or resumed run starts a new trace linked to
   * the original.
   */
  #runSpan(tracer: Tracer, info: WorkflowRunInfo, carrier: TraceCarrier | undefined): Span {
    const stored = fromCarrier(carrier);
    const attributes: Attributes = {
      [dbos.workflowID]: info.workflowID,
      [dbos.operationType]: "workflow",
      [dbos.operationName]: info.workflowName,
      [dbos.executorID]: info.executorID,
      [durably.runOrigin]: info.origin,
      ...(info.applicationVersion === null ? {} : { [dbos.applicationVersion]: info.applicationVersion }),
    };
    if (info.origin === "dequeued" || info.origin === "started") {
      const queued = info.queueName !== null && info.origin === "dequeued";
      const parent = stored === undefined ? context.active() : trace.setSpanContext(ROOT_CONTEXT, stored);
      return tracer.startSpan(
        info.workflowName,
        {
          kind: queued ? SpanKind.CONSUMER : SpanKind.INTERNAL,
          attributes: queued
            ? {
                ...attributes,
                [dbos.queueName]: info.queueName!,
                [messaging.system]: messagingSystem,
                [messaging.operationType]: "process",
                [messaging.operationName]: "process",
                [messaging.destinationName]: info.queueName!,
                [messaging.messageID]: info.workflowID,
              }
            : attributes,
        },
        parent,
      );
    }
    const links: Link[] =
      stored === undefined ? [] : [{ context: stored, attributes: { [durably.runOrigin]: "original" } }];
    return tracer.startSpan(
      info.workflowName,
      {
        root: true,
        links,
        attributes: {
          ...attributes,
          [durably.replayedSteps]: info.replayedSteps,
          ...(info.queueName === null ? {} : { [dbos.queueName]: info.queueName }),
        },
      },
      ROOT_CONTEXT,
    );
  }
}

/** One run's spans and metrics; steps start as children of its span. */
class RunScope implements WorkflowRunScope {
  readonly workflowID: string;
  readonly #info: WorkflowRunInfo;
  readonly #span: Span | undefined;
  readonly #owner: OtelInstrumentation;
  readonly #startedAt = performance.now();
  readonly context: Context;

  constructor(info: WorkflowRunInfo, span: Span | undefined, owner: OtelInstrumentation) {
    this.workflowID = info.workflowID;
    this.#info = info;
    this.#span = span;
    this.#owner = owner;
    this.context = span === undefined ? context.active() : trace.setSpan(context.active(), span);
    owner.metrics?.runStarted(info.workflowName);
  }

  within<T>(fn: () => T): T {
    return this.#span === undefined ? fn() : context.with(this.context, fn);
  }

  step(info: StepInfo): StepScope | undefined {
    const tracer = this.#owner.tracer;
    const span = tracer?.startSpan(
      info.name,
      {
        attributes: {
          [dbos.workflowID]: this.workflowID,
          [dbos.operationType]: info.type,
          [dbos.operationName]: info.name,
          [durably.stepID]: info.stepID,
          [durably.workflowName]: this.#info.workflowName,
        },
      },
      this.context,
    );
    return new OtelStepScope(span, this.#owner, this.#info.workflowName, this.workflowID, info);
  }

  end(end: RunEnd): void {
    const metrics = this.#owner.metrics;
    const name = this.#info.workflowName;
    const attributes = { [durably.workflowName]: name };
    if (metrics !== undefined) {
      metrics.runEnded(name);
      if (end.status === "SUCCESS") metrics.completed.add(1, attributes);
      else if (end.status === "ERROR") metrics.failed.add(1, attributes);
      else if (end.reason === "cancelled" || end.reason === "timeout") metrics.cancelled.add(1, attributes);
      metrics.workflowDuration.record((performance.now() - this.#startedAt) / 1000, {
        ...attributes,
        [durably.status]: end.status,
      });
    }
    const span = this.#span;
    if (span === undefined) return;
    span.setAttribute(durably.status, end.status);
    if (end.status === "ERROR") recordError(span, end.error);
    else if (end.status === "STOPPED") {
      span.setAttribute(durably.stopReason, end.reason);
      if (end.reason === "cancelled" || end.reason === "timeout" || end.reason === "diverged")
        recordError(span, end.error);
    }
    span.end();
  }
}

class OtelStepScope implements StepScope {
  readonly #span: Span | undefined;
  readonly #owner: OtelInstrumentation;
  readonly #metrics: DurablyMetrics | undefined;
  readonly #workflowName: string;
  readonly #workflowID: string;
  readonly #info: StepInfo;
  readonly #startedAt = performance.now();
  #ended = false;

  constructor(
    span: Span | undefined,
    owner: OtelInstrumentation,
    workflowName: string,
    workflowID: string,
    info: StepInfo,
  ) {
    this.#span = span;
    this.#owner = owner;
    this.#metrics = owner.metrics;
    this.#workflowName = workflowName;
    this.#workflowID = workflowID;
    this.#info = info;
  }

  within<T>(fn: () => T): T {
    const span = this.#span;
    if (span === undefined) return fn();
    const active = trace.setSpan(context.active(), span);
    const carrier = this.#info.type === "send" ? toCarrier(span.spanContext()) : undefined;
    if (carrier === undefined) return context.with(active, fn);
    // A send's context is stored before its message (named <workflow>::<step>), so the recv that
    // consumes the message finds it: one more statement, only for a traced send.
    const host = this.#owner.host;
    const stored = putMessageTraceContext(host.sysdb, {
      messageID: `${this.#workflowID}::${this.#info.stepID}`,
      senderWorkflowID: this.#workflowID,
      carrier,
    }).catch((error: unknown) => host.logger.warn("could not store a send's trace context", { error }));
    return stored.then(() => context.with(active, fn)) as T;
  }

  retry(attempt: number, error: unknown, delayMs: number): void {
    const span = this.#span;
    if (span === undefined) return;
    span.recordException(asException(error));
    span.addEvent("retry", { [durably.retryAttempt]: attempt, [durably.retryDelayMs]: delayMs });
  }

  end(error: unknown, attempts: number): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#metrics?.stepDuration.record((performance.now() - this.#startedAt) / 1000, {
      [durably.workflowName]: this.#workflowName,
      [durably.stepName]: this.#info.name,
      [dbos.operationType]: this.#info.type,
      [durably.status]: error === undefined ? "SUCCESS" : "ERROR",
    });
    const span = this.#span;
    if (span === undefined) return;
    span.setAttribute(durably.stepAttempts, attempts);
    if (error !== undefined) recordError(span, error);
    if (this.#info.type === "recv" && error === undefined && span.isRecording()) {
      // send → recv is a link: to the span of the send whose message this recv consumed, if traced.
      const endTime = new Date();
      const host = this.#owner.host;
      getReceivedMessageTraceContext(host.sysdb, this.#workflowID, this.#info.stepID)
        .then((carrier) => {
          const sent = fromCarrier(carrier);
          if (sent !== undefined) span.addLink({ context: sent, attributes: { [dbos.operationType]: "send" } });
        })
        .catch((failure: unknown) => host.logger.warn("could not read a message's trace context", { error: failure }))
        .finally(() => span.end(endTime));
      return;
    }
    span.end();
  }
}

/**
 * A send from outside a workflow: its context is stored before the message, as a workflow's traced
 * send stores its own, under the destination (the row goes when the destination is deleted).
 */
class MessageSendScope implements StepScope {
  readonly #span: Span;
  readonly #host: ExtensionHost;
  readonly #send: MessageSendInfo;

  constructor(span: Span, host: ExtensionHost, send: MessageSendInfo) {
    this.#span = span;
    this.#host = host;
    this.#send = send;
  }

  within<T>(fn: () => T): T {
    const host = this.#host;
    const active = trace.setSpan(context.active(), this.#span);
    const carrier = toCarrier(this.#span.spanContext());
    if (carrier === undefined) return context.with(active, fn);
    const stored = putMessageTraceContext(host.sysdb, {
      messageID: this.#send.messageID,
      senderWorkflowID: this.#send.destinationID,
      carrier,
    }).catch((error: unknown) => host.logger.warn("could not store a send's trace context", { error }));
    return stored.then(() => context.with(active, fn)) as T;
  }

  retry(): void {}

  end(error: unknown): void {
    if (error !== undefined) recordError(this.#span, error);
    this.#span.end();
  }
}

function endStart(span: Span, inserted: boolean, error: unknown): void {
  if (error !== undefined) recordError(span, error);
  else if (!inserted) span.setAttribute("durably.workflow.existing", true);
  span.end();
}

/** Sets the span's status to ERROR and records the exception: its type and message, never a payload. */
function recordError(span: Span, error: unknown): void {
  const exception = asException(error);
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
}

function asException(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error)
    return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { name: "Error", message: String(error) };
}
