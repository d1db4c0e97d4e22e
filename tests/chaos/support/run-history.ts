// Everything a chaos run leaves to judge it by, read back after the run: the database's final
// rows (with each checkpoint's commit time) and the effect logs of every worker process.
import type { Sql } from "postgres";
import { commitStampsTable } from "../../support/commit-stamps.js";
import { readEffectLogs, type EffectRecord } from "./effect-log.js";

export interface StatusRow {
  readonly id: string;
  readonly status: string;
  readonly executorID: string | null;
  readonly ownerXid: string | null;
  readonly queueName: string | null;
  readonly recoveryAttempts: number;
  /** When the workflow's input row committed (host clock; created_at is its worker's clock, maybe skewed). */
  readonly createdAt: number;
  /** When its SUCCESS or ERROR committed (host clock), else null. */
  readonly completedAt: number | null;
  readonly inputs: string | null;
  readonly output: string | null;
  readonly error: string | null;
}

export interface CheckpointRow {
  readonly name: string;
  readonly functionID: number;
  readonly output: string | null;
  readonly error: string | null;
  /** pg_xact_commit_timestamp(xmin) in epoch ms (fractional). */
  readonly commitMs: number;
}

/** The effect-log events of one step of one workflow. */
export interface StepEffects {
  readonly begins: Array<{ t: number; nonce: string; file: number }>;
  readonly ended: Set<string>;
  readonly acks: Set<string>;
}

export interface WorkflowEffects {
  readonly steps: Map<number, StepEffects>;
  /** When each durable sleep returned, on the clock of the worker it returned in. */
  readonly wakes: number[];
  readonly results: Set<string>;
  /** Every event's time and file, for recovery times. */
  readonly times: Array<{ t: number; file: number }>;
}

/** A row of the notifications table. */
export interface MessageRow {
  readonly topic: string;
  readonly message: string;
  readonly consumed: boolean;
  readonly consumedBy: number | null;
}

export interface RunHistory {
  readonly statuses: Map<string, StatusRow>;
  readonly checkpoints: Map<string, CheckpointRow[]>;
  /** Messages by destination workflow. */
  readonly messages: Map<string, MessageRow[]>;
  readonly effects: Map<string, WorkflowEffects>;
  /** Effect files, indexed as in `file` fields. */
  readonly files: string[];
  readonly effectLines: number;
  readonly tornLines: number;
}

/**
 * Reads the final state. `db` must be a direct connection (not through a proxy). Commit times come
 * from pg_xact_commit_timestamp (`"xact"`, the chaos cluster tracks them) or from the stamps of
 * installCommitStamps (`"stamped"`, for a server that does not).
 */
export async function readRunHistory(
  db: Sql,
  schema: string,
  effectsDir: string,
  commitTimes: "xact" | "stamped" = "xact",
): Promise<RunHistory> {
  const s = db(schema);
  // Without tracked commit times, a row's own created_at and completed_at (the writer's clock) stand in.
  const times =
    commitTimes === "xact"
      ? db`coalesce(extract(epoch from pg_xact_commit_timestamp(i.xmin))::float8 * 1000, w.created_at) as created_ms,
           case when w.status in ('SUCCESS', 'ERROR')
                then extract(epoch from pg_xact_commit_timestamp(w.xmin))::float8 * 1000 end as completed_ms`
      : db`w.created_at as created_ms, w.completed_at as completed_ms`;
  const statusRows = await db`
    select w.workflow_uuid, w.status, w.executor_id, w.owner_xid, w.queue_name, w.recovery_attempts, ${times},
           i.inputs, coalesce(o.output, w.output) as output, coalesce(o.error, w.error) as error
    from ${s}.workflow_status w
    left join ${s}.workflow_input i on i.workflow_uuid = w.workflow_uuid
    left join ${s}.workflow_output o on o.workflow_uuid = w.workflow_uuid`;
  const statuses = new Map<string, StatusRow>();
  for (const r of statusRows) {
    statuses.set(r.workflow_uuid, {
      id: r.workflow_uuid,
      status: r.status,
      executorID: r.executor_id,
      ownerXid: r.owner_xid,
      queueName: r.queue_name,
      recoveryAttempts: Number(r.recovery_attempts),
      createdAt: Number(r.created_ms),
      completedAt: r.completed_ms === null ? null : Number(r.completed_ms),
      inputs: r.inputs,
      output: r.output,
      error: r.error,
    });
  }
  // A checkpoint without a stamp gets commit time 0, so every execution of its step counts as late (I4).
  const checkpointRows =
    commitTimes === "xact"
      ? await db`
    select workflow_uuid, function_id, function_name, output, error,
           extract(epoch from pg_xact_commit_timestamp(xmin))::float8 * 1000 as commit_ms
    from ${s}.operation_outputs`
      : await db`
    select o.workflow_uuid, o.function_id, o.function_name, o.output, o.error,
           coalesce(extract(epoch from c.committed_at)::float8 * 1000, 0) as commit_ms
    from ${s}.operation_outputs o
    left join ${db(commitStampsTable)} c on c.workflow_uuid = o.workflow_uuid and c.function_id = o.function_id`;
  const checkpoints = new Map<string, CheckpointRow[]>();
  for (const r of checkpointRows) {
    const list = checkpoints.get(r.workflow_uuid) ?? [];
    list.push({
      name: r.function_name,
      functionID: r.function_id,
      output: r.output,
      error: r.error,
      commitMs: Number(r.commit_ms),
    });
    checkpoints.set(r.workflow_uuid, list);
  }
  const messageRows =
    await db`select destination_uuid, topic, message, consumed, consumed_by_function_id from ${s}.notifications`;
  const messages = new Map<string, MessageRow[]>();
  for (const r of messageRows) {
    const list = messages.get(r.destination_uuid) ?? [];
    list.push({ topic: r.topic, message: r.message, consumed: r.consumed, consumedBy: r.consumed_by_function_id });
    messages.set(r.destination_uuid, list);
  }

  const effects = new Map<string, WorkflowEffects>();
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const { lines, torn } = await readEffectLogs(effectsDir, (record: EffectRecord, file) => {
    let f = fileIndex.get(file);
    if (f === undefined) {
      f = files.push(file) - 1;
      fileIndex.set(file, f);
    }
    let wf = effects.get(record.wf);
    if (wf === undefined) {
      wf = { steps: new Map(), wakes: [], results: new Set(), times: [] };
      effects.set(record.wf, wf);
    }
    wf.times.push({ t: record.t, file: f });
    if (record.event === "wake") wf.wakes.push(record.clock ?? record.t);
    else if (record.event === "done") wf.results.add(record.nonce);
    else {
      let step = wf.steps.get(record.step);
      if (step === undefined) {
        step = { begins: [], ended: new Set(), acks: new Set() };
        wf.steps.set(record.step, step);
      }
      if (record.event === "begin") step.begins.push({ t: record.t, nonce: record.nonce, file: f });
      else if (record.event === "end") step.ended.add(record.nonce);
      else step.acks.add(record.nonce);
    }
  });
  return { statuses, checkpoints, messages, effects, files, effectLines: lines, tornLines: torn };
}
