// A send's trace context, stored before its message (durably_message_trace_contexts) so the recv
// that consumes the message links its span to the send's; read back by that recv.
import type { ExtensionHost, TraceCarrier } from "@durably/core/extension";
import { getReceivedMessageTraceContext, putMessageTraceContext } from "@durably/sysdb/queries";
import { fromCarrier } from "./trace-carrier.js";
import type { Link } from "@opentelemetry/api";
import { dbos } from "./attribute-names.js";

/**
 * Stores `carrier` under the message `messageID` (the row goes with `senderWorkflowID`), then calls
 * `fn`. A failed write is logged and `fn` runs anyway: tracing never fails a send.
 */
export function afterStoringSendContext<T>(
  host: ExtensionHost,
  message: { readonly messageID: string; readonly senderWorkflowID: string; readonly carrier: TraceCarrier },
  fn: () => T,
): T {
  const stored = putMessageTraceContext(host.sysdb, message).catch((error: unknown) =>
    host.logger.warn("could not store a send's trace context", { error }),
  );
  return stored.then(fn) as T;
}

/** The link to the send whose message the recv at (`workflowID`, `stepID`) consumed; undefined if it was not traced. */
export async function linkToReceivedSend(
  host: ExtensionHost,
  workflowID: string,
  stepID: number,
): Promise<Link | undefined> {
  const sent = fromCarrier(await getReceivedMessageTraceContext(host.sysdb, workflowID, stepID));
  return sent === undefined ? undefined : { context: sent, attributes: { [dbos.operationType]: "send" } };
}
