// A span context as durably stores it (W3C traceparent and tracestate), and back. Written by hand so
// it does not depend on which propagator the application configured.
import { createTraceState, isSpanContextValid, type Span, type SpanContext, TraceFlags } from "@opentelemetry/api";
import type { TraceCarrier } from "@durably/core/extension";

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The carrier of `spanContext`; undefined when it is not a valid one (nothing to store). */
export function toCarrier(spanContext: SpanContext | undefined): TraceCarrier | undefined {
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return undefined;
  return carrierOfValid(spanContext);
}

/** The carrier of `span`'s context. A recording span's context is valid by construction: no check. */
export function carrierOf(span: Span): TraceCarrier | undefined {
  return span.isRecording() ? carrierOfValid(span.spanContext()) : toCarrier(span.spanContext());
}

function carrierOfValid(spanContext: SpanContext): TraceCarrier {
  const flags = spanContext.traceFlags & 0xff;
  return {
    traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-${flags < 16 ? "0" : ""}${flags.toString(16)}`,
    tracestate: spanContext.traceState?.serialize() || null,
  };
}

/** The remote span context a stored carrier names; undefined for a malformed one. */
export function fromCarrier(carrier: TraceCarrier | undefined): SpanContext | undefined {
  if (carrier === undefined) return undefined;
  const match = traceparentPattern.exec(carrier.traceparent);
  if (match === null) return undefined;
  const spanContext: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
    ...(carrier.tracestate ? { traceState: createTraceState(carrier.tracestate) } : {}),
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}
