// The spans of a workflow's start, begun before its row is inserted so their context is what the
// row stores: an enqueue's PRODUCER span; a direct start's run span (and, for a child, the parent's
// step that starts it).
import { type Attributes, type Context, type Span, SpanKind, trace, type Tracer } from "@opentelemetry/api";
import type { WorkflowStartInfo, WorkflowStartScope } from "@durably/core/extension";
import { dbos, durably, messaging } from "./attribute-names.js";
import { endStart } from "./record-error.js";
import { carrierOf } from "./trace-carrier.js";

/** The messaging.system of durably's queues (a custom value, as the conventions allow). */
export const messagingSystem = "durably";

/** An enqueue: a PRODUCER span whose context the queued run (a CONSUMER, anywhere) continues. */
export function enqueueScope(
  tracer: Tracer,
  start: WorkflowStartInfo,
  queueName: string,
  parentContext: Context,
  parentStepID: number | undefined,
): WorkflowStartScope {
  const attributes: Attributes = {
    [dbos.workflowID]: start.workflowID,
    [dbos.operationName]: start.workflowName,
    [dbos.operationType]: "enqueue",
    [dbos.queueName]: queueName,
    [messaging.system]: messagingSystem,
    [messaging.operationType]: "send",
    [messaging.operationName]: "send",
    [messaging.destinationName]: queueName,
    [messaging.messageID]: start.workflowID,
  };
  if (start.applicationVersion !== null) attributes[dbos.applicationVersion] = start.applicationVersion;
  if (parentStepID !== undefined) attributes[durably.stepID] = parentStepID;
  const span = tracer.startSpan(`send ${queueName}`, { kind: SpanKind.PRODUCER, attributes }, parentContext);
  return { traceContext: carrierOf(span), end: (inserted, error) => endStart(span, inserted, error) };
}

/** A child's start is its parent's step (recorded at `parentStepID`); the child's run is under it. */
export function childStartSpan(
  tracer: Tracer,
  start: WorkflowStartInfo,
  parentWorkflowID: string,
  parentStepID: number,
  parentContext: Context,
): Span {
  const attributes: Attributes = {
    [dbos.workflowID]: parentWorkflowID,
    [dbos.operationName]: start.workflowName,
    [dbos.operationType]: "workflow",
    [durably.stepID]: parentStepID,
    "durably.child.workflow_id": start.workflowID,
  };
  if (start.applicationVersion !== null) attributes[dbos.applicationVersion] = start.applicationVersion;
  return tracer.startSpan(start.workflowName, { attributes }, parentContext);
}

/**
 * The run span of a direct start, begun now so the context stored with the workflow is the run's
 * own (a recovered run links to it); the run in this process continues it.
 */
export function directRunSpan(tracer: Tracer, start: WorkflowStartInfo, runContext: Context): Span {
  const attributes: Attributes = {
    [dbos.workflowID]: start.workflowID,
    [dbos.operationName]: start.workflowName,
    [dbos.operationType]: "workflow",
  };
  if (start.applicationVersion !== null) attributes[dbos.applicationVersion] = start.applicationVersion;
  return tracer.startSpan(start.workflowName, { attributes }, runContext);
}

/** The context a direct start's run span starts in: the parent's step when a workflow starts a child. */
export function runContextOf(step: Span | undefined, parentContext: Context): Context {
  return step === undefined ? parentContext : trace.setSpan(parentContext, step);
}
