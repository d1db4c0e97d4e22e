// The span of a run whose start was stored elsewhere (another process, or before a crash): a queued
// workflow's first run is the CONSUMER child of its enqueue; a recovered, adopted or resumed run
// starts a new trace linked to the original.
import {
  type Attributes,
  context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import type { TraceCarrier, WorkflowRunInfo } from "@durably/core/extension";
import { dbos, durably, messaging } from "./attribute-names.js";
import { fromCarrier } from "./trace-carrier.js";
import { messagingSystem } from "./workflow-start-spans.js";

export function startRunSpan(tracer: Tracer, info: WorkflowRunInfo, carrier: TraceCarrier | undefined): Span {
  const stored = fromCarrier(carrier);
  const attributes: Attributes = {
    [dbos.workflowID]: info.workflowID,
    [dbos.operationType]: "workflow",
    [dbos.operationName]: info.workflowName,
    [dbos.executorID]: info.executorID,
    [durably.runOrigin]: info.origin,
  };
  if (info.applicationVersion !== null) attributes[dbos.applicationVersion] = info.applicationVersion;
  if (info.origin === "dequeued" || info.origin === "started") {
    const parent = stored === undefined ? context.active() : trace.setSpanContext(ROOT_CONTEXT, stored);
    const queueName = info.origin === "dequeued" ? info.queueName : null;
    if (queueName !== null) {
      attributes[dbos.queueName] = queueName;
      attributes[messaging.system] = messagingSystem;
      attributes[messaging.operationType] = "process";
      attributes[messaging.operationName] = "process";
      attributes[messaging.destinationName] = queueName;
      attributes[messaging.messageID] = info.workflowID;
    }
    const kind = queueName === null ? SpanKind.INTERNAL : SpanKind.CONSUMER;
    return tracer.startSpan(info.workflowName, { kind, attributes }, parent);
  }
  const links: Link[] =
    stored === undefined ? [] : [{ context: stored, attributes: { [durably.runOrigin]: "original" } }];
  attributes[durably.replayedSteps] = info.replayedSteps;
  if (info.queueName !== null) attributes[dbos.queueName] = info.queueName;
  return tracer.startSpan(info.workflowName, { root: true, links, attributes }, ROOT_CONTEXT);
}
