// A workflow's children as a tree: each child links to its page and unfolds its own children on
// demand (read with the list API's parent filter, so a wide tree costs one page per level opened).
import { useState } from "react";
import { StatusBadge } from "./status-badge.js";
import { useApi } from "./use-api.js";

interface Child {
  workflowID: string;
  status: string;
  name: string | null;
}

function Node({ child }: { child: Child }) {
  const [open, setOpen] = useState(false);
  return (
    <li data-child-id={child.workflowID}>
      <button type="button" className="toggle" aria-label="children" onClick={() => setOpen(!open)}>
        {open ? "▾" : "▸"}
      </button>{" "}
      <a href={`#/workflow/${encodeURIComponent(child.workflowID)}`}>{child.workflowID}</a>{" "}
      <StatusBadge status={child.status} /> {child.name}
      {open && <Level parent={child.workflowID} />}
    </li>
  );
}

function Level({ parent }: { parent: string }) {
  const { data, error } = useApi<{ workflows: Child[]; nextCursor: string | null }>(
    `workflows?parent=${encodeURIComponent(parent)}`,
  );
  if (error) return <p className="error">{error}</p>;
  if (!data) return null;
  if (data.workflows.length === 0) return <p className="muted">No children.</p>;
  return (
    <ul className="children">
      {data.workflows.map((c) => (
        <Node key={c.workflowID} child={c} />
      ))}
      {data.nextCursor && (
        <li>
          <a href={`#/?parent=${encodeURIComponent(parent)}`}>more…</a>
        </li>
      )}
    </ul>
  );
}

/** The direct children (already loaded with the workflow), each unfolding further. */
export function ChildTree({ workflows }: { workflows: readonly Child[] }) {
  return (
    <ul className="children" data-testid="children">
      {workflows.map((c) => (
        <Node key={c.workflowID} child={c} />
      ))}
    </ul>
  );
}
