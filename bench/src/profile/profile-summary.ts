// Summarizes many breakdowns of the same operation: per position (the k-th statement and the gap
// before it) the mean of each part, so that the parts add up to the mean total, and the p50 total.
import { mean, percentile } from "../sample-stats.js";
import type { Breakdown } from "./phase-breakdown.js";

export interface ProfileRow {
  readonly position: string;
  readonly roundTripMs: number;
  readonly serializationMs: number;
  readonly notificationWaitMs: number;
  readonly otherMs: number;
}

export interface ProfileTable {
  readonly title: string;
  readonly samples: number;
  readonly p50TotalMs: number;
  readonly meanTotalMs: number;
  readonly rows: readonly ProfileRow[];
}

/**
 * Keeps the breakdowns with the most common statement sequence (a poll or a retry elsewhere would
 * shift the positions) and drops the slowest 5% of those (a loaded machine's stalls), then averages.
 */
export function summarize(title: string, breakdowns: readonly Breakdown[]): ProfileTable {
  const shape = (b: Breakdown) => b.segments.map((s) => s.label).join(" | ");
  const byShape = new Map<string, Breakdown[]>();
  for (const b of breakdowns) byShape.set(shape(b), [...(byShape.get(shape(b)) ?? []), b]);
  const common = [...byShape.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  const kept = [...common].sort((a, b) => a.totalMs - b.totalMs).slice(0, Math.max(1, Math.ceil(common.length * 0.95)));
  const first = kept[0];
  const rows: ProfileRow[] =
    first === undefined
      ? []
      : first.segments.map((segment, k) => ({
          position: segment.label,
          roundTripMs: mean(kept.map((b) => b.segments[k]!.roundTripMs)),
          serializationMs: mean(kept.map((b) => b.segments[k]!.serializationMs)),
          notificationWaitMs: mean(kept.map((b) => b.segments[k]!.notificationWaitMs)),
          otherMs: mean(kept.map((b) => b.segments[k]!.otherMs)),
        }));
  const totals = kept.map((b) => b.totalMs);
  const note = kept.length < breakdowns.length ? ` (${breakdowns.length - kept.length} set apart)` : "";
  return {
    title: `${title}${note}`,
    samples: kept.length,
    p50TotalMs: percentile(totals, 50),
    meanTotalMs: mean(totals),
    rows,
  };
}

/** The table as text: one line per position, then the sum of each column. */
export function renderProfile(table: ProfileTable): string {
  const ms = (x: number) => x.toFixed(3).padStart(9);
  const header =
    `${"statement (and the gap before it)".padEnd(36)}${"round trip".padStart(11)}${"serialize".padStart(10)}` +
    `${"notified".padStart(10)}${"JS/turns".padStart(10)}`;
  const line = (label: string, r: Omit<ProfileRow, "position">) =>
    `${label.padEnd(36)}${ms(r.roundTripMs)}  ${ms(r.serializationMs)} ${ms(r.notificationWaitMs)} ${ms(r.otherMs)}`;
  const sum = (key: keyof Omit<ProfileRow, "position">) => table.rows.reduce((s, r) => s + r[key], 0);
  const totals = {
    roundTripMs: sum("roundTripMs"),
    serializationMs: sum("serializationMs"),
    notificationWaitMs: sum("notificationWaitMs"),
    otherMs: sum("otherMs"),
  };
  const all = totals.roundTripMs + totals.serializationMs + totals.notificationWaitMs + totals.otherMs;
  const share = (x: number) => `${((x / all) * 100).toFixed(0)}%`;
  return [
    `${table.title}: ${table.samples} samples, p50 ${table.p50TotalMs.toFixed(3)} ms, mean ${table.meanTotalMs.toFixed(3)} ms`,
    header,
    ...table.rows.map((r) => line(r.position, r)),
    line("sum (ms)", totals),
    `${"share".padEnd(36)}${share(totals.roundTripMs).padStart(9)}  ${share(totals.serializationMs).padStart(9)} ` +
      `${share(totals.notificationWaitMs).padStart(9)} ${share(totals.otherMs).padStart(9)}`,
  ].join("\n");
}
