// One run's span and metrics: steps start as children of its span, passed explicitly (never looked
// up in the active context), and its end records the outcome.
import { type Context, context, type Span, trace } from "@opentelemetry/api";
import type { RunEnd, StepInfo, StepScope, WorkflowRunInfo, WorkflowRunScope } from "@durably/core/extension";
import { dbos, durably } from "./attribute-names.js";
import type { WorkflowMetricAttributes } from "./metric-attributes.js";
import { recordError } from "./record-error.js";
import type { Recorders } from "./recorders.js";
import { OtelStepScope } from "./step-scope.js";

export class RunScope implements WorkflowRunScope {
  readonly workflowID: string;
  readonly metricAttributes: WorkflowMetricAttributes;
  readonly recorders: Recorders;
  /** The run's context: the caller's, with the run's span current when it records. */
  readonly context: Context;
  readonly #span: Span | undefined;
  /** Whether the run's span records; when not, its steps make no spans (their sampler would say no too). */
  readonly #recording: boolean;
  readonly #startedAt = performance.now();

  constructor(
    info: WorkflowRunInfo,
    span: Span | undefined,
    recorders: Recorders,
    metricAttributes: WorkflowMetricAttributes,
  ) {
    this.workflowID = info.workflowID;
    this.metricAttributes = metricAttributes;
    this.recorders = recorders;
    this.#span = span;
    this.#recording = span?.isRecording() === true;
    this.context = span === undefined ? context.active() : trace.setSpan(context.active(), span);
    recorders.metrics?.runStarted(info.workflowName);
  }

  within<T>(fn: () => T): T {
    return this.#span === undefined ? fn() : context.with(this.context, fn);
  }

  step(info: StepInfo): StepScope | undefined {
    const metrics = this.recorders.metrics;
    const tracer = this.#recording ? this.recorders.tracer : undefined;
    if (tracer === undefined) return metrics === undefined ? undefined : new OtelStepScope(undefined, this, info);
    const span = tracer.startSpan(
      info.name,
      {
        attributes: {
          [dbos.workflowID]: this.workflowID,
          [dbos.operationType]: info.type,
          [dbos.operationName]: info.name,
          [durably.stepID]: info.stepID,
          [durably.workflowName]: this.metricAttributes.name,
        },
      },
      this.context,
    );
    return new OtelStepScope(span, this, info);
  }

  end(end: RunEnd): void {
    const metrics = this.recorders.metrics;
    if (metrics !== undefined) {
      const attributes = this.metricAttributes;
      metrics.runEnded(attributes.name);
      if (end.status === "SUCCESS") metrics.completed.add(1, attributes.workflow);
      else if (end.status === "ERROR") metrics.failed.add(1, attributes.workflow);
      else if (end.reason === "cancelled" || end.reason === "timeout") metrics.cancelled.add(1, attributes.workflow);
      metrics.workflowDuration.record((performance.now() - this.#startedAt) / 1000, attributes.duration(end.status));
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
