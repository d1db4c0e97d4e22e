// Splits the wall-clock time of one operation (a workflow from runWorkflow to its result, a client
// round trip) into what the recorder saw inside it: each statement's round trip (driver send to
// reply), the serialization between them, the wait for a notification, and the rest of the time
// between a reply and the next send (promise turns, timers, library code).
import type { NotificationEvent, SerializationEvent, StatementEvent } from "./phase-recorder.js";

/** One gap and the statement that ends it (none for the gap after the last reply). */
export interface Segment {
  /** What the statement is (classified from its text), or "(until the result is in hand)". */
  readonly label: string;
  /** Driver send to reply of the statement; 0 for the last gap. */
  readonly roundTripMs: number;
  /** Encodes and decodes that ran in the gap before the statement. */
  readonly serializationMs: number;
  /** From the gap's start to a notification's arrival inside it (0 if none arrived). */
  readonly notificationWaitMs: number;
  /** The rest of the gap: promise turns, timers, library and workflow code. */
  readonly otherMs: number;
}

export interface Breakdown {
  readonly totalMs: number;
  readonly segments: readonly Segment[];
}

export interface Window {
  readonly start: number;
  readonly end: number;
}

export function breakDown(
  window: Window,
  statements: readonly StatementEvent[],
  serializations: readonly SerializationEvent[],
  notifications: readonly NotificationEvent[],
): Breakdown {
  const inside = <T>(events: readonly T[], at: (e: T) => number) =>
    events.filter((e) => at(e) >= window.start && at(e) <= window.end).sort((a, b) => at(a) - at(b));
  const sent = inside(statements, (s) => s.sentAt);
  const encoded = inside(serializations, (s) => s.startedAt);
  const notified = inside(notifications, (n) => n.receivedAt);
  const segments: Segment[] = [];
  let gapStart = window.start;
  const gap = (gapEnd: number, label: string, roundTripMs: number) => {
    const serializationMs = encoded
      .filter((s) => s.startedAt >= gapStart && s.endedAt <= gapEnd)
      .reduce((sum, s) => sum + (s.endedAt - s.startedAt), 0);
    const arrival = notified.find((n) => n.receivedAt >= gapStart && n.receivedAt <= gapEnd);
    const notificationWaitMs = arrival === undefined ? 0 : arrival.receivedAt - gapStart;
    const otherMs = Math.max(0, gapEnd - gapStart - serializationMs - notificationWaitMs);
    segments.push({ label, roundTripMs, serializationMs, notificationWaitMs, otherMs });
  };
  for (const statement of sent) {
    // Statements sent while another is in flight (none on these paths) count from its reply.
    if (statement.sentAt < gapStart) {
      segments.push({
        label: `${classifyStatement(statement.sql)} (overlapping)`,
        roundTripMs: 0,
        serializationMs: 0,
        notificationWaitMs: 0,
        otherMs: 0,
      });
      continue;
    }
    gap(statement.sentAt, classifyStatement(statement.sql), statement.repliedAt - statement.sentAt);
    gapStart = statement.repliedAt;
  }
  gap(window.end, "(until the result is in hand)", 0);
  return { totalMs: window.end - window.start, segments };
}

/** A short name for a statement of durably's hot paths, from its text. */
export function classifyStatement(sql: string): string {
  const text = sql.replace(/\s+/g, " ").toLowerCase();
  const writesCheckpoint = /insert into "?[\w]*"?\.?"?operation_outputs/.test(text);
  const writesOutcome =
    /"?finished"? as \(update/.test(text) ||
    /update "?[\w]*"?\.?"?workflow_status"? as "?w"? set "?status"? = "?o"?/.test(text);
  if (writesCheckpoint && writesOutcome) return "checkpoint + outcome";
  if (writesCheckpoint) return "checkpoint";
  if (writesOutcome) return "outcome";
  if (/^insert into "?[\w]*"?\.?"?workflow_status/.test(text) || /insert into "?[\w]*"?\.?"?workflow_status/.test(text))
    return "start (insert workflow_status)";
  if (text.includes("pg_notify")) return "notify";
  if (/^select .*workflow_status/.test(text)) return "read workflow status/result";
  return text.slice(0, 48);
}
