// A SpanExporter that appends each finished span to a file as a JSON line, synchronously, so the
// spans of a process killed with SIGKILL are on disk up to the kill.
import { appendFileSync } from "node:fs";

export class FileSpanExporter {
  constructor(file) {
    this.file = file;
  }

  export(spans, done) {
    const lines = spans.map((span) =>
      JSON.stringify({
        pid: process.pid,
        name: span.name,
        kind: span.kind,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        attributes: span.attributes,
        links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId })),
        status: span.status,
      }),
    );
    if (lines.length > 0) appendFileSync(this.file, `${lines.join("\n")}\n`);
    done({ code: 0 });
  }

  shutdown() {
    return Promise.resolve();
  }

  forceFlush() {
    return Promise.resolve();
  }
}
