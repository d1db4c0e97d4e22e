// The waterfall: the workflow's queue wait, then each step from its start to its commit, on one time
// axis from the enqueue (recharts' stacked horizontal bars: an invisible offset, then the duration).
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { duration } from "./format.js";

export interface TimelineStep {
  readonly stepID: number;
  readonly name: string;
  readonly startedAt: number | null;
  readonly completedAt: number | null;
  readonly failed: boolean;
}

export interface TimelineProps {
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly completedAt: number | null;
  readonly steps: readonly TimelineStep[];
}

/** More bars than this make the chart slow and too tall to read: it shows the newest ones, the table all. */
const maxBars = 200;

export function StepTimeline({ createdAt, startedAt, completedAt, steps: all }: TimelineProps) {
  const end = completedAt ?? Date.now();
  const steps = all.length > maxBars ? all.slice(-maxBars) : all;
  const rows = [
    ...(startedAt !== null && startedAt > createdAt
      ? [{ label: "queue wait", offset: 0, length: startedAt - createdAt, kind: "wait" }]
      : []),
    ...steps.map((s) => {
      const from = s.startedAt ?? s.completedAt ?? createdAt;
      const to = s.completedAt ?? end;
      return {
        label: `${s.stepID} ${s.name}`,
        offset: from - createdAt,
        length: Math.max(to - from, 1),
        kind: s.failed ? "failed" : "step",
      };
    }),
  ];
  const colors: Record<string, string> = { wait: "#c9b458", failed: "#d9534f", step: "#4a7bd0" };
  return (
    <>
      {all.length > maxBars && (
        <p className="muted">
          The waterfall shows the newest {maxBars} of {all.length} steps; the table below lists every one.
        </p>
      )}
      <div className="timeline" data-testid="timeline" style={{ height: 40 + rows.length * 26 }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} layout="vertical" margin={{ left: 16, right: 24 }} barCategoryGap={4}>
            <CartesianGrid horizontal={false} strokeDasharray="3 3" />
            <XAxis type="number" tickFormatter={(v: number) => duration(v)} />
            <YAxis type="category" dataKey="label" width={180} interval={0} tick={{ fontSize: 12 }} />
            <Tooltip
              formatter={(value, key) =>
                key === "offset" ? [duration(Number(value)), "starts at"] : [duration(Number(value)), "took"]
              }
            />
            <Bar dataKey="offset" stackId="t" fill="transparent" isAnimationActive={false} />
            <Bar dataKey="length" stackId="t" isAnimationActive={false}>
              {rows.map((r) => (
                <Cell key={r.label} fill={colors[r.kind]} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
    </>
  );
}
