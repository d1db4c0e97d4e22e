// One step's span (a child of its run's, with the step current while its function runs) and its
// duration metric. A send stores its context for the recv; a recv links to the send it consumed.
import { context, type Span, trace } from "@opentelemetry/api";
import type { StepInfo, StepScope } from "@durably/core/extension";
import { durably } from "./attribute-names.js";
import { asException, recordError } from "./record-error.js";
import type { RunScope } from "./run-scope.js";
import { afterStoringSendContext, linkToReceivedSend } from "./send-trace-context.js";
import { carrierOf } from "./trace-carrier.js";

export class OtelStepScope implements StepScope {
  readonly #span: Span | undefined;
  readonly #run: RunScope;
  readonly #info: StepInfo;
  readonly #startedAt = performance.now();
  #ended = false;

  constructor(span: Span | undefined, run: RunScope, info: StepInfo) {
    this.#span = span;
    this.#run = run;
    this.#info = info;
  }

  within<T>(fn: () => T): T {
    const span = this.#span;
    if (span === undefined) return fn();
    const active = trace.setSpan(context.active(), span);
    const carrier = this.#info.type === "send" ? carrierOf(span) : undefined;
    if (carrier === undefined) return context.with(active, fn);
    // A send's context is stored before its message (named <workflow>::<step>), so the recv that
    // consumes the message finds it: one more statement, only for a traced send.
    const workflowID = this.#run.workflowID;
    const message = { messageID: `${workflowID}::${this.#info.stepID}`, senderWorkflowID: workflowID, carrier };
    return afterStoringSendContext(this.#run.recorders.host, message, () => context.with(active, fn));
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
    const info = this.#info;
    this.#run.recorders.metrics?.stepDuration.record(
      (performance.now() - this.#startedAt) / 1000,
      this.#run.metricAttributes.step(info.type, info.name, error !== undefined),
    );
    const span = this.#span;
    if (span === undefined) return;
    span.setAttribute(durably.stepAttempts, attempts);
    if (error !== undefined) recordError(span, error);
    if (info.type === "recv" && error === undefined && span.isRecording()) {
      // send → recv is a link: to the span of the send whose message this recv consumed, if traced.
      const endTime = new Date();
      const host = this.#run.recorders.host;
      linkToReceivedSend(host, this.#run.workflowID, info.stepID)
        .then((link) => link !== undefined && span.addLink(link))
        .catch((failure: unknown) => host.logger.warn("could not read a message's trace context", { error: failure }))
        .finally(() => span.end(endTime));
      return;
    }
    span.end();
  }
}
