// durably's Instrumentation hook over OpenTelemetry: spans for starts, enqueues, runs and steps, and
// the metrics of DurablyMetrics. Context continues across processes through the trace context stored
// in the workflow's row (workflow_status.durably_traceparent).
// The hooks run on every workflow's path, so they allocate little: attribute sets of metrics are
// made once (MetricAttributes), steps get their parent span explicitly, a run whose span does not
// record makes no step spans, and a run started here reads nothing back.
import { context, type Span, type Tracer } from "@opentelemetry/api";
import type {
  EngineEvent,
  ExtensionHost,
  Instrumentation,
  MessageSendInfo,
  StepScope,
  WorkflowRunInfo,
  WorkflowRunScope,
  WorkflowStartInfo,
  WorkflowStartScope,
} from "@durably/core/extension";
import { getTraceContext } from "@durably/sysdb/queries";
import { dbos, durably } from "./attribute-names.js";
import type { DurablyMetrics } from "./durably-metrics.js";
import { messageSendScope } from "./message-send-scope.js";
import { MetricAttributes, type WorkflowMetricAttributes } from "./metric-attributes.js";
import { endStart } from "./record-error.js";
import type { Recorders } from "./recorders.js";
import { RunScope } from "./run-scope.js";
import { startRunSpan } from "./run-span.js";
import { carrierOf } from "./trace-carrier.js";
import { childStartSpan, directRunSpan, enqueueScope, runContextOf } from "./workflow-start-spans.js";

export class OtelInstrumentation implements Instrumentation, Recorders {
  readonly tracer: Tracer | undefined;
  readonly metrics: DurablyMetrics | undefined;
  readonly host: ExtensionHost;
  readonly attributes = new MetricAttributes();
  /** Run spans of direct starts, begun before the insert (their context is what is stored), by workflow ID. */
  readonly #pending = new Map<string, Span>();

  constructor(tracer: Tracer | undefined, metrics: DurablyMetrics | undefined, host: ExtensionHost) {
    this.tracer = tracer;
    this.metrics = metrics;
    this.host = host;
  }

  workflowStart(start: WorkflowStartInfo): WorkflowStartScope | undefined {
    const tracer = this.tracer;
    if (tracer === undefined) return undefined;
    const parent = start.parent instanceof RunScope ? start.parent : undefined;
    const parentContext = parent?.context ?? context.active();
    const parentStepID = parent === undefined ? undefined : start.parentStepID;
    if (start.queueName !== null) return enqueueScope(tracer, start, start.queueName, parentContext, parentStepID);
    const step =
      parentStepID === undefined
        ? undefined
        : childStartSpan(tracer, start, parent!.workflowID, parentStepID, parentContext);
    const runSpan = directRunSpan(tracer, start, runContextOf(step, parentContext));
    const workflowID = start.workflowID;
    this.#pending.set(workflowID, runSpan);
    return {
      traceContext: carrierOf(runSpan),
      end: (inserted, error) => {
        if (step !== undefined) endStart(step, inserted, error);
        if (!inserted || error !== undefined) {
          // Nothing runs under this span: the start failed, or the ID already had a workflow.
          this.#pending.delete(workflowID);
          endStart(runSpan, inserted, error);
        }
      },
    };
  }

  workflowRun(info: WorkflowRunInfo): WorkflowRunScope | Promise<WorkflowRunScope | undefined> | undefined {
    const metrics = this.metrics;
    const metricAttributes = this.attributes.of(info.workflowName);
    if (metrics !== undefined) {
      metrics.started.add(1, metricAttributes.started(info.origin));
      if (info.origin === "dequeued" && info.queueName !== null && info.createdAt !== undefined) {
        const seconds = Math.max(0, this.host.now() - info.createdAt) / 1000;
        metrics.queueLatency.record(seconds, this.attributes.queue(info.queueName));
      }
    }
    const tracer = this.tracer;
    if (tracer === undefined)
      return metrics === undefined ? undefined : new RunScope(info, undefined, this, metricAttributes);
    if (info.origin === "started") {
      const pending = this.#pending.get(info.workflowID);
      if (pending === undefined)
        return this.#scope(info, startRunSpan(tracer, info, info.traceContext ?? undefined), metricAttributes);
      this.#pending.delete(info.workflowID);
      pending.setAttributes({ [dbos.executorID]: info.executorID, [durably.runOrigin]: info.origin });
      return this.#scope(info, pending, metricAttributes);
    }
    // Started elsewhere (a client's enqueue, another process's run): the claim returned what its
    // start stored; read it only for a run that came without it.
    if (info.traceContext !== undefined)
      return this.#scope(info, startRunSpan(tracer, info, info.traceContext ?? undefined), metricAttributes);
    return getTraceContext(this.host.sysdb, info.workflowID)
      .catch((error: unknown) => {
        this.host.logger.warn("could not read a workflow's trace context", { workflowID: info.workflowID, error });
        return undefined;
      })
      .then((carrier) => this.#scope(info, startRunSpan(tracer, info, carrier), metricAttributes));
  }

  messageSend(send: MessageSendInfo): StepScope | undefined {
    return messageSendScope(this, send);
  }

  event(event: EngineEvent): void {
    const metrics = this.metrics;
    if (metrics === undefined) return;
    if (event.kind === "checkpoint-batch") metrics.checkpointBatchSize.record(event.size);
    else if (event.origin !== "dequeued") metrics.recoveries.add(event.count, { [durably.runOrigin]: event.origin });
  }

  /** A run's scope; undefined (so its steps cost one branch) when neither a span records nor metrics count. */
  #scope(info: WorkflowRunInfo, span: Span, metricAttributes: WorkflowMetricAttributes): WorkflowRunScope | undefined {
    if (!span.isRecording() && this.metrics === undefined) {
      span.end();
      return undefined;
    }
    return new RunScope(info, span, this, metricAttributes);
  }
}
