// The steps of a workflow as a table that renders only the rows near the viewport (TanStack Virtual
// over the window's scroll), so a workflow of thousands of steps costs a screenful of rows. A step's
// output or error is fetched only when its row is opened, and kept for the page's life.
import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { useLayoutEffect, useRef, useState } from "react";
import { get } from "./api.js";
import { duration } from "./format.js";
import { ValueView } from "./value-view.js";

export interface StepRow {
  readonly stepID: number;
  readonly name: string;
  readonly childWorkflowID: string | null;
  readonly startedAt: number | null;
  readonly completedAt: number | null;
  readonly failed: boolean;
}

/** An opened step's value: loading, loaded, or why it could not be read. */
type Loaded = { state: "loading" } | { state: "loaded"; value: unknown } | { state: "failed"; message: string };

const rowEstimatePx = 33;

const link = (id: string) => <a href={`#/workflow/${encodeURIComponent(id)}`}>{id}</a>;

export function StepTable({
  workflowID,
  steps,
  redact,
}: {
  workflowID: string;
  steps: readonly StepRow[];
  redact: boolean;
}) {
  const body = useRef<HTMLTableSectionElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  const [opened, setOpened] = useState<ReadonlyMap<number, Loaded>>(new Map());
  // What is above the table (the waterfall, values that open) moves it: re-read its place each render.
  useLayoutEffect(() => {
    const top = (body.current?.getBoundingClientRect().top ?? 0) + window.scrollY;
    if (Math.abs(top - scrollMargin) > 1) setScrollMargin(top);
  });
  const virtualizer = useWindowVirtualizer({
    count: steps.length,
    estimateSize: () => rowEstimatePx,
    overscan: 10,
    scrollMargin,
    getItemKey: (index) => steps[index]?.stepID ?? index,
  });
  const toggle = (stepID: number) => {
    if (opened.has(stepID)) {
      const next = new Map(opened);
      next.delete(stepID);
      setOpened(next);
      return;
    }
    setOpened((m) => new Map(m).set(stepID, { state: "loading" }));
    get<{ value: unknown }>(`workflows/${encodeURIComponent(workflowID)}/steps/${stepID}`).then(
      (r) => setOpened((m) => (m.has(stepID) ? new Map(m).set(stepID, { state: "loaded", value: r.value }) : m)),
      (e: unknown) =>
        setOpened((m) =>
          m.has(stepID) ? new Map(m).set(stepID, { state: "failed", message: String((e as Error).message) }) : m,
        ),
    );
  };
  const items = virtualizer.getVirtualItems();
  const before = items.length > 0 ? items[0]!.start - scrollMargin : 0;
  const after = items.length > 0 ? virtualizer.getTotalSize() - items.at(-1)!.end : 0;
  return (
    <table className="steps" data-testid="steps">
      <thead>
        <tr>
          <th>#</th>
          <th>Name</th>
          <th>Took</th>
          <th>{redact ? "Outcome" : "Output / error"}</th>
        </tr>
      </thead>
      <tbody ref={body}>
        {before > 0 && <tr aria-hidden style={{ height: before }} />}
        {items.map((item) => {
          const s = steps[item.index]!;
          const value = opened.get(s.stepID);
          return (
            <tr
              key={item.key}
              ref={virtualizer.measureElement}
              data-index={item.index}
              data-step-id={s.stepID}
              className={s.failed ? "failed" : ""}
            >
              <td>{s.stepID}</td>
              <td>
                {s.name} {s.childWorkflowID && <>→ {link(s.childWorkflowID)}</>}
              </td>
              <td>{s.startedAt && s.completedAt ? duration(s.completedAt - s.startedAt) : ""}</td>
              <td>
                <span className={s.failed ? "outcome failed" : "outcome"}>{s.failed ? "error" : "ok"}</span>{" "}
                {!redact && (
                  <button type="button" className="link" onClick={() => toggle(s.stepID)}>
                    {value === undefined ? (s.failed ? "show error" : "show output") : "hide"}
                  </button>
                )}
                {value !== undefined && (
                  <div className="step-value" data-testid="step-value">
                    {value.state === "loading" ? (
                      <span className="muted">Loading…</span>
                    ) : value.state === "failed" ? (
                      <span className="error">{value.message}</span>
                    ) : (
                      <ValueView value={value.value} expand />
                    )}
                  </div>
                )}
              </td>
            </tr>
          );
        })}
        {after > 0 && <tr aria-hidden style={{ height: after }} />}
      </tbody>
    </table>
  );
}
