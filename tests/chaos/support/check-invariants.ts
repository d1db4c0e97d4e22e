// The invariants of reliability.md 5.3 (I1-I4, I7 for messages, I9 for durable sleep) and I11 (fencing)
// checked against what a chaos run left behind; each names the workflows that broke it.
import { isDeepStrictEqual } from "node:util";
import { resultChain, type ChaosInput } from "./result-chain.js";
import { echoTopic } from "./chaos-workflow.js";
import type { CheckpointRow, MessageRow, RunHistory, WorkflowEffects } from "./run-history.js";

export interface InvariantResult {
  readonly id: string;
  readonly name: string;
  readonly held: boolean;
  readonly violations: number;
  /** The first few violations, enough to start a diagnosis. */
  readonly samples: unknown[];
}

export interface DuplicateFigures {
  /** Step function executions seen in the effect logs. */
  readonly stepExecutions: number;
  /** Executions beyond the first of the same step (all began before that step's checkpoint committed). */
  readonly duplicateExecutions: number;
  readonly stepsWithDuplicates: number;
  readonly duplicateRate: number;
}

/** Collects the violations of one invariant. */
export class Violations {
  count = 0;
  readonly samples: unknown[] = [];

  constructor(
    readonly id: string,
    readonly name: string,
  ) {}

  add(sample: unknown): void {
    this.count++;
    if (this.samples.length < 10) this.samples.push(sample);
  }

  result(): InvariantResult {
    return { id: this.id, name: this.name, held: this.count === 0, violations: this.count, samples: this.samples };
  }
}

/**
 * Node's setTimeout may fire up to about 1 ms before Date.now() reaches its target (libuv's
 * cached, truncated loop time), and durable sleep waits with one setTimeout: those wakes are
 * counted (earlyWakesWithinSlack), not failed.
 */
const timerSlackMs = 2;

export interface CheckInput {
  readonly history: RunHistory;
  /** Every workflow the harness asked to start, with its input. */
  readonly expected: ReadonlyMap<string, ChaosInput>;
  /** What getResult returned in every process that asked. */
  readonly handleResults: ReadonlyMap<string, ReadonlySet<string>>;
  readonly handleErrors: ReadonlyArray<{ id: string; error: string }>;
  /** The SIGSTOP pauses, by the effect file of the process paused: from `at` to `resumedAt` (host clock). */
  readonly pauses?: ReadonlyArray<{ readonly file: string; readonly at: number; readonly resumedAt: number }>;
}

/**
 * A begin stamped this close to its process's SIGCONT (the harness notes the time just after
 * sending it) was decided before the pause: the step's lease check passed, then SIGSTOP landed
 * before the effect log read the clock (under libfaketime, Date.now() is a library call that may
 * enter the kernel, where a stop takes effect). A step decided after the resume first renews the
 * lapsed lease over the network (confirm), which takes longer.
 */
const stampedOnResumeMs = 20;

export function checkInvariants({ history, expected, handleResults, handleErrors, pauses = [] }: CheckInput): {
  invariants: InvariantResult[];
  duplicates: DuplicateFigures;
  earlyWakesWithinSlack: number;
  /** Begins stamped on a SIGCONT that were decided before the pause (not I4 violations). */
  stampedOnResume: number;
} {
  const i1 = new Violations("I1", "every workflow reaches SUCCESS within the settle time");
  const i2 = new Violations(
    "I2",
    "one status row and one outcome per workflow, equal to the chain of its input and checkpointed outputs, " +
      "in every handle",
  );
  const i3 = new Violations(
    "I3",
    "exactly one checkpoint per step, each from a logged execution, and every step returned its checkpointed value",
  );
  const i4 = new Violations("I4", "no step execution began after its checkpoint committed");
  const i7 = new Violations(
    "I7",
    "every message sent was received exactly once, by the recv that recorded it, with the value sent",
  );
  const i11 = new Violations(
    "I11",
    "no process committed a checkpoint after another had begun a step of that workflow (zombies, late writes fenced)",
  );
  const i9 = new Violations(
    "I9",
    `no durable sleep woke more than ${timerSlackMs} ms before its recorded wake-up time, on its worker's clock`,
  );
  let earlyWakesWithinSlack = 0;
  let stampedOnResume = 0;
  const pausesOf = (file: number) => pauses.filter((p) => p.file === history.files[file]);
  let stepExecutions = 0;
  let duplicateExecutions = 0;
  let stepsWithDuplicates = 0;

  for (const [id, row] of history.statuses)
    if (!expected.has(id)) i2.add({ id, problem: "a status row nobody started", status: row.status });
  for (const { id, error } of handleErrors) i2.add({ id, problem: "getResult failed", error });

  for (const [id, input] of expected) {
    const row = history.statuses.get(id);
    if (row === undefined || row.status !== "SUCCESS") {
      i1.add({
        id,
        status: row?.status ?? "missing",
        executorID: row?.executorID,
        queue: row?.queueName,
        ownerXid: row?.ownerXid,
        attempts: row?.recoveryAttempts,
        error: row?.error,
      });
      if (row === undefined) continue;
    }
    const stored = parseJson(row.inputs) as { positionalArgs?: unknown[] } | undefined;
    if (!isDeepStrictEqual(stored?.positionalArgs?.[0], input))
      i2.add({ id, problem: "stored input differs", stored: row.inputs });

    const rows = history.checkpoints.get(id) ?? [];
    const byName = new Map(rows.map((c) => [c.name, c]));
    // How many checkpoints of each name the workflow may hold (a recv records a DBOS.sleep
    // deadline only when it had to wait).
    const allowed = new Map(Array.from({ length: input.steps }, (_, j) => [`s${j}`, 1]));
    allowed.set("DBOS.sleep", (input.sleepMs > 0 ? 1 : 0) + (input.echo ? 1 : 0));
    if (input.echo) allowed.set("DBOS.recv", 1).set("DBOS.send", 1);
    const counts = new Map<string, number>();
    for (const c of rows) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
    if ([...counts].some(([name, n]) => n > (allowed.get(name) ?? 0)))
      i3.add({ id, problem: "extra or repeated checkpoints", names: rows.map((c) => c.name) });

    const effects = history.effects.get(id);
    const outputs: string[] = [];
    for (let j = 0; j < input.steps; j++) {
      const checkpoint = byName.get(`s${j}`);
      const step = effects?.steps.get(j);
      if (checkpoint === undefined) {
        if (row.status === "SUCCESS") i3.add({ id, step: j, problem: "no checkpoint in a finished workflow" });
        continue;
      }
      const nonce = parseJson(checkpoint.output);
      if (typeof nonce !== "string" || checkpoint.error !== null) {
        i3.add({
          id,
          step: j,
          problem: "checkpoint is not a nonce",
          output: checkpoint.output,
          error: checkpoint.error,
        });
        continue;
      }
      outputs.push(nonce);
      if (step === undefined || !step.begins.some((b) => b.nonce === nonce) || !step.ended.has(nonce)) {
        i3.add({ id, step: j, problem: "checkpointed nonce never logged by an execution", nonce });
      }
      for (const acked of step?.acks ?? [])
        if (acked !== nonce)
          i3.add({ id, step: j, problem: "a run went on with another value", acked, checkpointed: nonce });
      const begins = step?.begins ?? [];
      stepExecutions += begins.length;
      if (begins.length > 1) {
        stepsWithDuplicates++;
        duplicateExecutions += begins.length - 1;
      }
      const mine = begins.find((b) => b.nonce === nonce);
      if (mine !== undefined) checkFencing(id, j, mine, checkpoint.commitMs, effects!, history.files, i11);
      for (const begin of begins) {
        if (begin.t > checkpoint.commitMs) {
          const pause = pausesOf(begin.file).find(
            (p) => p.at <= checkpoint.commitMs && Math.abs(begin.t - p.resumedAt) <= stampedOnResumeMs,
          );
          if (pause !== undefined) {
            // Began before the pause (a duplicate that overlapped a fault, as the plan allows); its
            // checkpoint was refused, which I3 and I11 check.
            stampedOnResume++;
            continue;
          }
          i4.add({
            id,
            step: j,
            beganAt: begin.t,
            committedAt: checkpoint.commitMs,
            lateByMs: begin.t - checkpoint.commitMs,
            file: history.files[begin.file],
          });
        }
      }
    }
    checkEcho(id, input, row.status, rows, history.messages.get(id) ?? [], i7);
    // right after s0
    const sleepRow = input.sleepMs > 0 ? rows.find((c) => c.name === "DBOS.sleep" && c.functionID === 1) : undefined;
    if (sleepRow !== undefined) {
      const wakeAt = Number(parseJson(sleepRow.output));
      for (const t of effects?.wakes ?? []) {
        if (t < wakeAt - timerSlackMs) i9.add({ id, wokeAt: t, wakeAt, earlyByMs: wakeAt - t });
        else if (t < wakeAt) earlyWakesWithinSlack++;
      }
    }
    if (row.status !== "SUCCESS" || outputs.length !== input.steps) continue;
    const want = resultChain(id, input, outputs);
    const got = parseJson(row.output);
    if (got !== want) i2.add({ id, problem: "recorded outcome differs from the chain of its checkpoints", got, want });
    for (const value of effects?.results ?? [])
      if (value !== want) i2.add({ id, problem: "an execution computed another result", value, want });
    for (const value of handleResults.get(id) ?? [])
      if (value !== want) i2.add({ id, problem: "a handle returned another result", value, want });
  }
  for (const [id, messages] of history.messages)
    if (!expected.has(id)) i7.add({ id, problem: "messages to a workflow nobody started", count: messages.length });
  return {
    invariants: [i1, i2, i3, i4, i7, i9, i11].map((v) => v.result()),
    duplicates: {
      stepExecutions,
      duplicateExecutions,
      stepsWithDuplicates,
      duplicateRate: stepExecutions === 0 ? 0 : duplicateExecutions / stepExecutions,
    },
    earlyWakesWithinSlack,
    stampedOnResume,
  };
}

/**
 * I11 for one checkpoint: a process begins a step only while it owns the workflow (its lease
 * fresh, its owner token current), so a step begun elsewhere after this checkpoint's execution
 * began means the workflow had changed hands; a checkpoint its first owner committed after that
 * (a paused zombie's, or an INSERT of a dead one delivered late) got past the owner-token fence.
 */
function checkFencing(
  id: string,
  step: number,
  execution: { t: number; file: number },
  commitMs: number,
  effects: WorkflowEffects,
  files: readonly string[],
  i11: Violations,
): void {
  for (const [j, other] of effects.steps) {
    for (const b of other.begins) {
      if (b.file === execution.file || b.t <= execution.t || b.t >= commitMs) continue;
      const by = files[execution.file];
      i11.add({ id, step, committedAt: commitMs, by, otherBeganStep: j, otherBeganAt: b.t, otherFile: files[b.file] });
      return;
    }
  }
}

/** I7 for one workflow: its echo message, if it sent one, was received once, at its recv, unchanged. */
function checkEcho(
  id: string,
  input: ChaosInput,
  status: string,
  rows: readonly CheckpointRow[],
  messages: readonly MessageRow[],
  i7: Violations,
): void {
  if (!input.echo) {
    if (messages.length > 0) i7.add({ id, problem: "messages to a workflow that sends none", count: messages.length });
    return;
  }
  const recvRow = rows.find((c) => c.name === "DBOS.recv");
  const sent = rows.find((c) => c.name === "s0");
  if (status === "SUCCESS" && (messages.length !== 1 || recvRow === undefined)) {
    i7.add({
      id,
      problem: "a finished echo workflow has not exactly one message and one recv",
      messages: messages.length,
      recv: recvRow !== undefined,
    });
    return;
  }
  for (const m of messages) {
    if (m.topic !== echoTopic) i7.add({ id, problem: "a message on another topic", topic: m.topic });
    if (sent !== undefined && m.message !== sent.output)
      i7.add({ id, problem: "the message is not step 0's output", message: m.message, s0: sent.output });
    if (m.consumed !== (recvRow !== undefined) || (recvRow !== undefined && m.consumedBy !== recvRow.functionID)) {
      i7.add({
        id,
        problem: "the message's consumption does not match the recv checkpoint",
        consumed: m.consumed,
        consumedBy: m.consumedBy,
        recvStep: recvRow?.functionID,
      });
    }
  }
  if (recvRow !== undefined && (recvRow.error !== null || recvRow.output !== messages[0]?.message)) {
    i7.add({
      id,
      problem: "the recv recorded something other than the message",
      output: recvRow.output,
      error: recvRow.error,
    });
  }
}

function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
