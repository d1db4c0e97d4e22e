// The waterfall: the workflow's queue wait, then each step from its start to its commit, on one time
// axis from the enqueue (recharts' stacked horizontal bars: an invisible offset, then the duration).
// A long workflow's waterfall scrolls in a box of its own and draws only the bars near the box's
// viewport (TanStack Virtual picks them; every slice shares the axis's domain, so bars line up).
import { useVirtualizer } from "@tanstack/react-virtual";
import { useLayoutEffect, useRef, useState } from "react";
import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis } from "recharts";
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

interface TimelineRow {
  readonly label: string;
  readonly offset: number;
  readonly length: number;
  readonly kind: "wait" | "failed" | "step";
}

const rowPx = 26;
/** The box shows this many rows; more scroll. */
const visibleRows = 18;
const axisPx = 30;
const labelWidth = 180;
const margin = { left: 16, right: 24, top: 0, bottom: 0 };
const colors: Record<TimelineRow["kind"], string> = { wait: "#c9b458", failed: "#d9534f", step: "#4a7bd0" };

function toRows({ createdAt, startedAt, completedAt, steps }: TimelineProps): TimelineRow[] {
  const end = completedAt ?? Date.now();
  return [
    ...(startedAt !== null && startedAt > createdAt
      ? [{ label: "queue wait", offset: 0, length: startedAt - createdAt, kind: "wait" as const }]
      : []),
    ...steps.map((s) => {
      const from = s.startedAt ?? s.completedAt ?? createdAt;
      const to = s.completedAt ?? end;
      return {
        label: `${s.stepID} ${s.name}`,
        offset: from - createdAt,
        length: Math.max(to - from, 1),
        kind: s.failed ? ("failed" as const) : ("step" as const),
      };
    }),
  ];
}

export function StepTimeline(props: TimelineProps) {
  const rows = toRows(props);
  const span = Math.max(1, ...rows.map((r) => r.offset + r.length));
  const box = useRef<HTMLDivElement>(null);
  // The charts' width is the box's inner width (less its scrollbar), followed as the window resizes.
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const element = box.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    setWidth(element.clientWidth);
    return () => observer.disconnect();
  }, []);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => box.current,
    estimateSize: () => rowPx,
    overscan: 6,
    initialRect: { width: 1000, height: visibleRows * rowPx },
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const slice = rows.slice(first, (items.at(-1)?.index ?? -1) + 1);
  const domain: [number, number] = [0, span];
  return (
    <div className="timeline" data-testid="timeline">
      {/* The time axis, alone, above the scrolling bars. */}
      {width > 0 && (
        <BarChart
          width={width}
          height={axisPx + 1}
          data={[{ label: "", offset: 0 }]}
          layout="vertical"
          margin={{ ...margin, left: margin.left + labelWidth }}
        >
          <XAxis
            type="number"
            orientation="top"
            height={axisPx}
            domain={domain}
            tickFormatter={(v: number) => duration(v)}
          />
          <YAxis type="category" dataKey="label" hide />
          {/* recharts draws an axis's ticks only for a chart with a series: an empty one. */}
          <Bar dataKey="offset" fill="transparent" isAnimationActive={false} />
        </BarChart>
      )}
      <div
        ref={box}
        className="timeline-bars"
        style={{ height: Math.min(rows.length, visibleRows) * rowPx, overflowY: "auto", position: "relative" }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {slice.length > 0 && width > 0 && (
            <BarChart
              width={width}
              height={slice.length * rowPx}
              data={slice}
              layout="vertical"
              margin={margin}
              barCategoryGap={4}
              style={{ position: "absolute", top: first * rowPx }}
            >
              <CartesianGrid horizontal={false} strokeDasharray="3 3" />
              <XAxis type="number" domain={domain} hide />
              <YAxis type="category" dataKey="label" width={labelWidth} interval={0} tick={{ fontSize: 12 }} />
              <Tooltip
                formatter={(value, key) =>
                  key === "offset" ? [duration(Number(value)), "starts at"] : [duration(Number(value)), "took"]
                }
              />
              <Bar dataKey="offset" stackId="t" fill="transparent" isAnimationActive={false} />
              <Bar dataKey="length" stackId="t" isAnimationActive={false}>
                {slice.map((r) => (
                  <Cell key={r.label} fill={colors[r.kind]} />
                ))}
              </Bar>
            </BarChart>
          )}
        </div>
      </div>
    </div>
  );
}
