// A send from outside a workflow (application code or a client): a PRODUCER span in the caller's
// trace whose context is stored before the message, as a workflow's traced send stores its own.
import { context, type Span, SpanKind, trace } from "@opentelemetry/api";
import type { ExtensionHost, MessageSendInfo, StepScope } from "@durably/core/extension";
import { dbos, durably, messaging } from "./attribute-names.js";
import { messagingSystem } from "./workflow-start-spans.js";
import { recordError } from "./record-error.js";
import type { Recorders } from "./recorders.js";
import { afterStoringSendContext } from "./send-trace-context.js";
import { carrierOf } from "./trace-carrier.js";

/** The scope of a send from outside a workflow; undefined when its span would not record. */
export function messageSendScope(recorders: Recorders, send: MessageSendInfo): StepScope | undefined {
  const tracer = recorders.tracer;
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
  return new MessageSendScope(span, recorders.host, send);
}

/** Its row goes under the destination (deleted with it), as the sender is no workflow. */
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
    const active = trace.setSpan(context.active(), this.#span);
    const carrier = carrierOf(this.#span);
    if (carrier === undefined) return context.with(active, fn);
    const message = { messageID: this.#send.messageID, senderWorkflowID: this.#send.destinationID, carrier };
    return afterStoringSendContext(this.#host, message, () => context.with(active, fn));
  }

  retry(): void {}

  end(error: unknown): void {
    if (error !== undefined) recordError(this.#span, error);
    this.#span.end();
  }
}
