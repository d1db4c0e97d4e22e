// The workflows list: filters kept in the URL (a link shares the view), keyset pages, live refresh,
// and bulk cancel/resume of everything the filter matches, after a dry run shows how many.
import { useState } from "react";
import { post } from "./api.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { duration, time } from "./format.js";
import { useLive } from "./live.js";
import { StatusBadge } from "./status-badge.js";
import { useApi } from "./use-api.js";
import { useConfig } from "./use-config.js";

interface Row {
  workflowID: string;
  status: string;
  name: string | null;
  queueName: string | null;
  executorID: string | null;
  applicationVersion: string | null;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  attempts: number;
}

const statuses = ["PENDING", "ENQUEUED", "DELAYED", "SUCCESS", "ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"];
const textFilters = [
  ["name", "Name"],
  ["queue", "Queue"],
  ["version", "Version"],
  ["executor", "Executor"],
  ["prefix", "ID prefix"],
  ["parent", "Parent ID"],
  ["after", "Created after"],
  ["before", "Created before"],
] as const;

export function WorkflowList({ query }: { query: string }) {
  const params = new URLSearchParams(query);
  const config = useConfig();
  const { data, error, reload } = useApi<{ workflows: Row[]; nextCursor: string | null; serverMs: number }>(
    `workflows?${params.toString()}`,
  );
  useLive(() => {
    if (!params.get("cursor")) reload();
  });
  const [bulk, setBulk] = useState<{ action: "cancel" | "resume"; ids: string[]; capped: boolean }>();
  const [note, setNote] = useState<string>();

  const go = (next: URLSearchParams) => {
    next.delete("cursor");
    location.hash = `#/?${next.toString()}`;
  };
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(query);
    if (value) next.set(key, value);
    else next.delete(key);
    go(next);
  };
  const toggleStatus = (s: string) => {
    const current = (params.get("status") ?? "").split(",").filter(Boolean);
    set("status", (current.includes(s) ? current.filter((x) => x !== s) : [...current, s]).join(","));
  };
  const dryRun = async (action: "cancel" | "resume") => {
    const filter = Object.fromEntries([...params].filter(([k]) => k !== "cursor"));
    const result = await post<{ workflowIDs: string[]; capped: boolean }>(`bulk/${action}`, { filter, dryRun: true });
    setBulk({ action, ids: result.workflowIDs, capped: result.capped });
  };
  const applyBulk = async () => {
    if (bulk === undefined) return;
    const result = await post<{ changed: number; total: number }>(`bulk/${bulk.action}`, { workflowIDs: bulk.ids });
    setNote(`${bulk.action === "cancel" ? "Cancelled" : "Resumed"} ${result.changed} of ${result.total} workflows.`);
    setBulk(undefined);
    reload();
  };
  const selected = (params.get("status") ?? "").split(",");

  return (
    <section>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <div className="statuses">
          {statuses.map((s) => (
            <label key={s}>
              <input
                type="checkbox"
                name={`status-${s}`}
                checked={selected.includes(s)}
                onChange={() => toggleStatus(s)}
              />
              {s}
            </label>
          ))}
        </div>
        <div className="fields">
          {textFilters.map(([key, label]) => (
            <label key={key}>
              {label}
              <input
                name={key}
                defaultValue={params.get(key) ?? ""}
                placeholder={key === "after" || key === "before" ? "2026-12-01T00:00Z" : ""}
                onKeyDown={(e) => {
                  if (e.key === "Enter") set(key, e.currentTarget.value.trim());
                }}
                onBlur={(e) => {
                  if (e.currentTarget.value.trim() !== (params.get(key) ?? "")) set(key, e.currentTarget.value.trim());
                }}
              />
            </label>
          ))}
        </div>
        {!config?.readOnly && (
          <div className="bulk">
            <button type="button" onClick={() => void dryRun("cancel")}>
              Cancel all matching…
            </button>
            <button type="button" onClick={() => void dryRun("resume")}>
              Resume all matching…
            </button>
          </div>
        )}
      </form>
      {note && <p className="note">{note}</p>}
      {error && <p className="error">{error}</p>}
      {bulk && (
        <ConfirmDialog
          title={`${bulk.action === "cancel" ? "Cancel" : "Resume"} ${bulk.ids.length} workflows?`}
          onConfirm={() => void applyBulk()}
          onCancel={() => setBulk(undefined)}
        >
          <p data-testid="bulk-count">
            The current filter matches {bulk.ids.length}
            {bulk.capped ? " (the most one action takes; more match)" : ""} workflows; exactly these will be{" "}
            {bulk.action === "cancel" ? "cancelled" : "resumed"} (those already in a final state are left alone
            {bulk.action === "cancel" ? "" : " when resuming only what can be"}).
          </p>
        </ConfirmDialog>
      )}
      <table className="workflows">
        <thead>
          <tr>
            <th>Workflow ID</th>
            <th>Status</th>
            <th>Name</th>
            <th>Queue</th>
            <th>Version</th>
            <th>Executor</th>
            <th>Created</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody>
          {data?.workflows.map((w) => (
            <tr key={w.workflowID} data-workflow-id={w.workflowID}>
              <td>
                <a href={`#/workflow/${encodeURIComponent(w.workflowID)}`}>{w.workflowID}</a>
              </td>
              <td>
                <StatusBadge status={w.status} />
              </td>
              <td>{w.name}</td>
              <td>{w.queueName}</td>
              <td>{w.applicationVersion}</td>
              <td>{w.executorID}</td>
              <td>{time(w.createdAt)}</td>
              <td>{w.completedAt ? duration(w.completedAt - (w.startedAt ?? w.createdAt)) : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && data.workflows.length === 0 && <p className="muted">No workflow matches.</p>}
      <div className="pager">
        {params.get("cursor") && (
          <button type="button" onClick={() => go(new URLSearchParams(query))}>
            First page
          </button>
        )}
        {data?.nextCursor && (
          <button
            type="button"
            onClick={() => {
              const next = new URLSearchParams(query);
              next.set("cursor", data.nextCursor!);
              location.hash = `#/?${next.toString()}`;
            }}
          >
            Next page
          </button>
        )}
        {data && <span className="muted">server {data.serverMs} ms</span>}
      </div>
    </section>
  );
}
