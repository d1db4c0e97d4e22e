// Queues: each queue's settings beside its depth by status, its oldest waiting item and how long the
// last hour's workflows waited to start (p50, p99), drawn as a bar chart of depth; pause and resume.
import { useState } from "react";
import { Bar, BarChart, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { post } from "./api.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { duration } from "./format.js";
import { useLive } from "./live.js";
import { useApi } from "./use-api.js";
import { useConfig } from "./use-config.js";

interface Stats {
  queueName: string;
  enqueued: number;
  pending: number;
  delayed: number;
  oldestEnqueuedAt: number | null;
  waitP50Ms: number | null;
  waitP99Ms: number | null;
  startedInWindow: number;
}
interface Queue {
  name: string;
  concurrency?: number;
  workerConcurrency?: number;
  rateLimit?: { limit: number; periodSec: number };
  partitionQueue: boolean;
  priorityEnabled: boolean;
  paused?: { pausedAt: string; reason?: string };
}

export function QueuesPage() {
  const config = useConfig();
  const { data, error, reload } = useApi<{ queues: Queue[]; stats: Stats[] }>("queues");
  useLive(reload);
  const [pending, setPending] = useState<{ name: string; action: "pause" | "resume" }>();
  const [reason, setReason] = useState("");
  const [note, setNote] = useState<string>();
  if (error) return <p className="error">{error}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  const run = async () => {
    if (!pending) return;
    setPending(undefined);
    try {
      const body = pending.action === "pause" ? { reason } : {};
      const path = `queues/${encodeURIComponent(pending.name)}/${pending.action}`;
      const result = await post<{ changed: boolean }>(path, body);
      setNote(
        pending.action === "pause"
          ? result.changed
            ? `Paused ${pending.name}.`
            : `${pending.name} was paused already.`
          : result.changed
            ? `Resumed ${pending.name}.`
            : `${pending.name} was not paused.`,
      );
      setReason("");
      reload();
    } catch (e) {
      setNote(String((e as Error).message));
    }
  };
  const names = [...new Set([...data.queues.map((q) => q.name), ...data.stats.map((s) => s.queueName)])].sort();
  const stats = new Map(data.stats.map((s) => [s.queueName, s]));
  const settings = new Map(data.queues.map((q) => [q.name, q]));
  const chart = names.map((n) => ({ name: n, ...(stats.get(n) ?? { enqueued: 0, pending: 0, delayed: 0 }) }));
  return (
    <section>
      {note && <p className="note">{note}</p>}
      {pending && (
        <ConfirmDialog
          title={`${pending.action === "pause" ? "Pause" : "Resume"} queue ${pending.name}?`}
          onConfirm={() => void run()}
          onCancel={() => setPending(undefined)}
        >
          {pending.action === "pause" ? (
            <>
              <p>No worker dequeues from it until it is resumed; running workflows finish, enqueues wait.</p>
              <input
                name="pause-reason"
                placeholder="reason (optional)"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
              />
            </>
          ) : (
            <p>Workers dequeue from it again at once.</p>
          )}
        </ConfirmDialog>
      )}
      {chart.length > 0 && (
        <div className="chart" style={{ height: 60 + chart.length * 30 }}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={chart} layout="vertical" margin={{ left: 16, right: 24 }}>
              <XAxis type="number" allowDecimals={false} />
              <YAxis type="category" dataKey="name" width={180} />
              <Tooltip />
              <Legend />
              <Bar dataKey="enqueued" stackId="d" fill="#c9b458" isAnimationActive={false} />
              <Bar dataKey="pending" stackId="d" fill="#4a7bd0" isAnimationActive={false} />
              <Bar dataKey="delayed" stackId="d" fill="#999" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      <table>
        <thead>
          <tr>
            <th>Queue</th>
            <th>Enqueued</th>
            <th>Pending</th>
            <th>Delayed</th>
            <th>Oldest waiting</th>
            <th>Wait p50 / p99 (1 h)</th>
            <th>Concurrency (global / worker)</th>
            <th>Rate limit</th>
            {!config?.readOnly && <th />}
          </tr>
        </thead>
        <tbody>
          {names.map((n) => {
            const s = stats.get(n);
            const q = settings.get(n);
            return (
              <tr key={n} data-queue={n}>
                <td>
                  <a href={`#/?queue=${encodeURIComponent(n)}`}>{n}</a>{" "}
                  {q?.paused && (
                    <span className="badge paused" data-testid="paused">
                      PAUSED{q.paused.reason ? `: ${q.paused.reason}` : ""}
                    </span>
                  )}
                </td>
                <td>{s?.enqueued ?? 0}</td>
                <td>{s?.pending ?? 0}</td>
                <td>{s?.delayed ?? 0}</td>
                <td>{s?.oldestEnqueuedAt ? duration(Date.now() - s.oldestEnqueuedAt) : ""}</td>
                <td>{s?.startedInWindow ? `${duration(s.waitP50Ms)} / ${duration(s.waitP99Ms)}` : ""}</td>
                <td>{q ? `${q.concurrency ?? "∞"} / ${q.workerConcurrency ?? "∞"}` : "not registered"}</td>
                <td>{q?.rateLimit ? `${q.rateLimit.limit} per ${q.rateLimit.periodSec} s` : ""}</td>
                {!config?.readOnly && (
                  <td>
                    {/* Only a queue with a definition can be paused (pauseQueue's QUEUE_NOT_FOUND otherwise). */}
                    {q && (
                      <button
                        type="button"
                        onClick={() => setPending({ name: n, action: q.paused ? "resume" : "pause" })}
                      >
                        {q.paused ? "Resume" : "Pause"}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      {names.length === 0 && <p className="muted">No queues.</p>}
    </section>
  );
}
