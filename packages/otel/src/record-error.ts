// How a span says something failed: ERROR status and an exception event with the error's type and
// message (never a payload), shared by every span durably records.
import { type Span, SpanStatusCode } from "@opentelemetry/api";

/** Sets the span's status to ERROR and records the exception: its type and message, never a payload. */
export function recordError(span: Span, error: unknown): void {
  const exception = asException(error);
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
}

export function asException(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error)
    return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { name: "Error", message: String(error) };
}

/** Ends the span of a start: an error, or (not `inserted`) the note that the ID already had a workflow. */
export function endStart(span: Span, inserted: boolean, error: unknown): void {
  if (error !== undefined) recordError(span, error);
  else if (!inserted) span.setAttribute("durably.workflow.existing", true);
  span.end();
}
