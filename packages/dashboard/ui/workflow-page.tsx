// One workflow: its status and values, the timeline of its steps (live: a committed step appears
// without a reload), its children, and the fixing actions (cancel, resume, fork from a step).
import { useState } from "react";
import { post } from "./api.js";
import { ChildTree } from "./child-tree.js";
import { type Communications, CommunicationsView } from "./communications-view.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { duration, time } from "./format.js";
import { useLive } from "./live.js";
import { StatusBadge } from "./status-badge.js";
import { type StepRow, StepTable } from "./step-table.js";
import { StepTimeline } from "./step-timeline.js";
import { useApi } from "./use-api.js";
import { useConfig } from "./use-config.js";
import { ValueView } from "./value-view.js";

interface Workflow {
  workflowID: string;
  status: string;
  name: string | null;
  queueName: string | null;
  executorID: string | null;
  applicationVersion: string | null;
  attempts: number;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  parentWorkflowID: string | null;
  forkedFrom: string | null;
  input?: unknown;
  output?: unknown;
  error?: unknown;
}

type Action = { kind: "cancel" | "resume" } | { kind: "fork"; startStep: number; version: string; queue: string };

const link = (id: string) => <a href={`#/workflow/${encodeURIComponent(id)}`}>{id}</a>;

export function WorkflowPage({ id }: { id: string }) {
  const config = useConfig();
  const { data, error, reload } = useApi<
    { workflow: Workflow; steps: StepRow[]; children: Workflow[] } & Communications
  >(`workflows/${encodeURIComponent(id)}`);
  useLive(reload, [id, ...(data?.children.map((c) => c.workflowID) ?? [])]);
  const [action, setAction] = useState<Action>();
  const [fork, setFork] = useState({ startStep: "0", version: "", queue: "" });
  const [note, setNote] = useState<string>();
  if (error) return <p className="error">{error}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const w = data.workflow;
  const act = async () => {
    if (action === undefined) return;
    setAction(undefined);
    try {
      if (action.kind === "fork") {
        const result = await post<{ workflowID: string }>(`workflows/${encodeURIComponent(id)}/fork`, {
          startStep: action.startStep,
          applicationVersion: action.version,
          queue: action.queue,
        });
        location.hash = `#/workflow/${encodeURIComponent(result.workflowID)}`;
        return;
      }
      await post(`workflows/${encodeURIComponent(id)}/${action.kind}`);
      setNote(action.kind === "cancel" ? "Cancelled." : "Resumed.");
      reload();
    } catch (e) {
      setNote(String((e as Error).message));
    }
  };
  return (
    <section className="workflow">
      <h2>
        <span data-testid="workflow-id">{w.workflowID}</span> <StatusBadge status={w.status} />
      </h2>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{w.name}</dd>
        <dt>Queue</dt>
        <dd>{w.queueName}</dd>
        <dt>Version</dt>
        <dd>{w.applicationVersion}</dd>
        <dt>Executor</dt>
        <dd>{w.executorID}</dd>
        <dt>Attempts</dt>
        <dd>{w.attempts}</dd>
        <dt>Created</dt>
        <dd>{time(w.createdAt)}</dd>
        <dt>Started</dt>
        <dd>
          {time(w.startedAt)} {w.startedAt ? `(waited ${duration(w.startedAt - w.createdAt)})` : ""}
        </dd>
        <dt>Completed</dt>
        <dd>
          {time(w.completedAt)} {w.completedAt ? `(ran ${duration(w.completedAt - (w.startedAt ?? w.createdAt))})` : ""}
        </dd>
        {w.parentWorkflowID && (
          <>
            <dt>Parent</dt>
            <dd>{link(w.parentWorkflowID)}</dd>
          </>
        )}
        {w.forkedFrom && (
          <>
            <dt>Forked from</dt>
            <dd>{link(w.forkedFrom)}</dd>
          </>
        )}
      </dl>
      {config && !config.readOnly && (
        <div className="actions">
          <button type="button" onClick={() => setAction({ kind: "cancel" })}>
            Cancel
          </button>
          <button type="button" onClick={() => setAction({ kind: "resume" })}>
            Resume
          </button>
          <label>
            Fork from step
            <input
              name="fork-step"
              type="number"
              min={0}
              value={fork.startStep}
              onChange={(e) => setFork({ ...fork, startStep: e.target.value })}
            />
          </label>
          <input
            name="fork-version"
            placeholder="onto version (optional)"
            value={fork.version}
            onChange={(e) => setFork({ ...fork, version: e.target.value })}
          />
          <input
            name="fork-queue"
            placeholder="onto queue (optional)"
            value={fork.queue}
            onChange={(e) => setFork({ ...fork, queue: e.target.value })}
          />
          <button
            type="button"
            onClick={() =>
              setAction({ kind: "fork", startStep: Number(fork.startStep), version: fork.version, queue: fork.queue })
            }
          >
            Fork…
          </button>
        </div>
      )}
      {note && <p className="note">{note}</p>}
      {action && (
        <ConfirmDialog
          title={
            action.kind === "fork"
              ? `Fork ${id} from step ${action.startStep}?`
              : `${action.kind === "cancel" ? "Cancel" : "Resume"} ${id}?`
          }
          onConfirm={() => void act()}
          onCancel={() => setAction(undefined)}
        >
          <p>
            {action.kind === "fork"
              ? `A new workflow starts with steps before ${action.startStep} copied and runs step ${action.startStep} and later again.`
              : action.kind === "cancel"
                ? "It stops at its next step and is marked CANCELLED."
                : "It goes back on its queue and continues from its last checkpoint."}
          </p>
        </ConfirmDialog>
      )}
      <h3>Timeline</h3>
      <StepTimeline createdAt={w.createdAt} startedAt={w.startedAt} completedAt={w.completedAt} steps={data.steps} />
      <h3>Steps ({data.steps.length})</h3>
      <StepTable workflowID={w.workflowID} steps={data.steps} redact={config?.redact ?? true} />
      {!config?.redact && (
        <div className="values">
          <h3>Input</h3>
          <div data-testid="input">
            <ValueView value={w.input} expand />
          </div>
          <h3>Output</h3>
          <div data-testid="output">
            <ValueView value={w.output} expand />
          </div>
          {w.error !== null && w.error !== undefined && (
            <>
              <h3>Error</h3>
              <div data-testid="error">
                <ValueView value={w.error} expand />
              </div>
            </>
          )}
        </div>
      )}
      <CommunicationsView events={data.events} messages={data.messages} streams={data.streams} />
      {data.children.length > 0 && (
        <>
          <h3>Child workflows ({data.children.length})</h3>
          <ChildTree workflows={data.children} />
        </>
      )}
    </section>
  );
}
