// Schedules: cron, status, last and next fire times, and pause, resume, trigger and backfill.
import { useState } from "react";
import { post } from "./api.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { time } from "./format.js";
import { useApi } from "./use-api.js";
import { useConfig } from "./use-config.js";

interface Schedule {
  name: string;
  workflowName: string;
  cron: string;
  timezone?: string;
  status: string;
  queueName?: string;
  lastFiredAt?: string;
  /** The next three ticks (none while paused). */
  nextFireAt: string[];
}

type Pending =
  | { name: string; action: "pause" | "resume" | "trigger" }
  | { name: string; action: "backfill"; from: string; to: string };

export function SchedulesPage() {
  const config = useConfig();
  const { data, error, reload } = useApi<{ schedules: Schedule[]; needsApp: boolean }>("schedules");
  const [pending, setPending] = useState<Pending>();
  const [range, setRange] = useState({ from: "", to: "" });
  const [note, setNote] = useState<string>();
  if (error) return <p className="error">{error}</p>;
  if (!data) return <p className="muted">Loading…</p>;
  if (data.needsApp)
    return <p className="muted">Schedules belong to an application: start the dashboard with --app NAME.</p>;
  const run = async () => {
    if (!pending) return;
    setPending(undefined);
    try {
      const body = pending.action === "backfill" ? { from: pending.from, to: pending.to } : {};
      const result = await post<{ workflowIDs?: string[]; workflowID?: string }>(
        `schedules/${encodeURIComponent(pending.name)}/${pending.action}`,
        body,
      );
      setNote(
        result.workflowIDs
          ? `Backfilled ${result.workflowIDs.length} ticks.`
          : result.workflowID
            ? `Started ${result.workflowID}.`
            : "Done.",
      );
      reload();
    } catch (e) {
      setNote(String((e as Error).message));
    }
  };
  return (
    <section>
      {note && (
        <p className="note" data-testid="schedule-note">
          {note}
        </p>
      )}
      {pending && (
        <ConfirmDialog
          title={`${pending.action[0]!.toUpperCase()}${pending.action.slice(1)} schedule ${pending.name}?`}
          onConfirm={() => void run()}
          onCancel={() => setPending(undefined)}
        >
          {pending.action === "backfill" && (
            <p data-testid="backfill-range">
              Runs every tick from {pending.from || "(no start)"} up to {pending.to || "(no end)"} that has not run yet.
            </p>
          )}
          {pending.action === "trigger" && <p>Runs the schedule's workflow once, now.</p>}
        </ConfirmDialog>
      )}
      {!config?.readOnly && (
        <p>
          Backfill range:{" "}
          <input
            name="backfill-from"
            placeholder="from 2026-12-01T00:00Z"
            value={range.from}
            onChange={(e) => setRange({ ...range, from: e.target.value })}
          />{" "}
          <input
            name="backfill-to"
            placeholder="to 2026-12-02T00:00Z"
            value={range.to}
            onChange={(e) => setRange({ ...range, to: e.target.value })}
          />
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Schedule</th>
            <th>Workflow</th>
            <th>Cron</th>
            <th>Status</th>
            <th>Last fired</th>
            <th>Next fires</th>
            {!config?.readOnly && <th />}
          </tr>
        </thead>
        <tbody>
          {data.schedules.map((s) => (
            <tr key={s.name} data-schedule={s.name}>
              <td>
                <a href={`#/?prefix=${encodeURIComponent(`sched-${s.name}-`)}`}>{s.name}</a>
              </td>
              <td>{s.workflowName}</td>
              <td>
                {s.cron} {s.timezone ?? ""}
              </td>
              <td data-testid="schedule-status">{s.status}</td>
              <td>{s.lastFiredAt ? time(Date.parse(s.lastFiredAt)) : ""}</td>
              <td data-testid="next-fire">
                {s.nextFireAt.map((at) => (
                  <time key={at} dateTime={at} className="next-fire">
                    {time(Date.parse(at))}
                  </time>
                ))}
              </td>
              {!config?.readOnly && (
                <td>
                  <button
                    type="button"
                    onClick={() => setPending({ name: s.name, action: s.status === "PAUSED" ? "resume" : "pause" })}
                  >
                    {s.status === "PAUSED" ? "Resume" : "Pause"}
                  </button>
                  <button type="button" onClick={() => setPending({ name: s.name, action: "trigger" })}>
                    Trigger
                  </button>
                  <button type="button" onClick={() => setPending({ name: s.name, action: "backfill", ...range })}>
                    Backfill
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {data.schedules.length === 0 && <p className="muted">No schedules.</p>}
    </section>
  );
}
