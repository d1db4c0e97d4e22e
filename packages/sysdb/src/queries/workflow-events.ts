// Workflow events (dbos.workflow_events, plus workflow_events_history per step for fork): the
// latest value per key, written together with the setting step's checkpoint.
import { sql } from "kysely";
import { CompiledStatement } from "../compiled-statement.js";
import type { Queryable } from "../queryable.js";
import { classifyError } from "../sqlstate.js";
import { insertFencedCheckpoint, runOwnsWorkflow, stepIsFree, type StepKey } from "./step-fence.js";

interface SetEvent extends StepKey {
  readonly stepName: string;
  readonly eventKey: string;
  readonly value: string;
  readonly serialization: string;
}

// The value is bound once: the history row copies it from the event row.
const setEvent = new CompiledStatement((db, p: SetEvent) =>
  db
    .with("cp", (db) =>
      insertFencedCheckpoint(db, {
        key: p,
        stepName: p.stepName,
        output: null,
        serialization: p.serialization,
        where: runOwnsWorkflow(p),
      }).returning(["workflow_uuid", "function_id", "serialization"]),
    )
    .with("ev", (db) =>
      db
        .insertInto("workflow_events")
        .columns(["workflow_uuid", "key", "value", "serialization"])
        .expression(
          db
            .selectFrom("cp")
            .select((eb) => [
              "cp.workflow_uuid",
              eb.cast<string>(eb.val(p.eventKey), "text").as("key"),
              eb.cast<string>(eb.val(p.value), "text").as("value"),
              "cp.serialization",
            ]),
        )
        .onConflict((oc) =>
          oc.columns(["workflow_uuid", "key"]).doUpdateSet((eb) => ({
            value: eb.ref("excluded.value"),
            serialization: eb.ref("excluded.serialization"),
          })),
        )
        .returning(["key", "value"]),
    )
    .insertInto("workflow_events_history")
    .columns(["workflow_uuid", "function_id", "key", "value", "serialization"])
    .expression((eb) =>
      eb
        .selectFrom(["cp", "ev"])
        .select(["cp.workflow_uuid", "cp.function_id", "ev.key", "ev.value", "cp.serialization"]),
    )
    .onConflict((oc) =>
      oc.columns(["workflow_uuid", "function_id", "key"]).doUpdateSet((eb) => ({
        value: eb.ref("excluded.value"),
        serialization: eb.ref("excluded.serialization"),
      })),
    )
    .returning(sql.lit(1).as("one")),
);

/**
 * Sets an event and checkpoints the step in one statement; false if the step fence refused (the
 * run no longer owns the workflow, or the step is already recorded), and then nothing is written.
 * The checkpoint is a plain INSERT: it runs on every setEvent, a reader may be waiting on it, and
 * a step already taken raises 23505 for less executor work than ON CONFLICT costs.
 */
export async function setWorkflowEvent(
  on: Queryable,
  key: StepKey,
  stepName: string,
  eventKey: string,
  value: string,
  serialization: string,
): Promise<boolean> {
  try {
    const rows = await setEvent.execute(on, { ...key, stepName, eventKey, value, serialization });
    return rows.length === 1;
  } catch (error) {
    if (classifyError(error) === "unique_violation") return false;
    throw error;
  }
}

export interface EventValue {
  readonly value: string;
  readonly serialization: string | null;
}

// Compiled once, as getWorkflow: a getEvent from outside a workflow reads it on every wake and poll.
const readEvent = new CompiledStatement((db, p: { workflowID: string; eventKey: string }) =>
  db
    .selectFrom("workflow_events")
    .select(["value", "serialization"])
    .where("workflow_uuid", "=", p.workflowID)
    .where("key", "=", p.eventKey),
);

/** Reads an event's current value. */
export async function getWorkflowEvent(
  on: Queryable,
  workflowID: string,
  eventKey: string,
): Promise<EventValue | undefined> {
  const [row] = await readEvent.execute(on, { workflowID, eventKey });
  return row;
}

export type ReadEventResult =
  | { readonly kind: "empty" }
  | { readonly kind: "refused" }
  | ({ readonly kind: "found" } & EventValue);

interface ReadEvent extends StepKey {
  readonly stepName: string;
  readonly targetID: string;
  readonly eventKey: string;
}

const readEventAsStep = new CompiledStatement((db, p: ReadEvent) =>
  db
    .with("ev", (db) =>
      db
        .selectFrom("workflow_events")
        .select(["value", "serialization"])
        .where("workflow_uuid", "=", p.targetID)
        .where("key", "=", p.eventKey),
    )
    .with("cp", (db) =>
      insertFencedCheckpoint(db, {
        key: p,
        stepName: p.stepName,
        from: db.selectFrom("ev"),
        output: sql.ref<string | null>("ev.value"),
        serialization: sql.ref<string | null>("ev.serialization"),
        where: stepIsFree(p),
      })
        .onConflict((oc) => oc.doNothing())
        .returning("function_id"),
    )
    .selectNoFrom((eb) => [
      eb
        .selectFrom("ev")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .$asScalar()
        .as("available"),
      eb
        .selectFrom("cp")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .$asScalar()
        .as("recorded"),
      eb.selectFrom("ev").select("value").$asScalar().as("value"),
      eb.selectFrom("ev").select("serialization").$asScalar().as("serialization"),
    ]),
);

/** Reads an event and checkpoints what was read (inside a workflow), in one statement. */
export async function readWorkflowEventAsStep(
  on: Queryable,
  key: StepKey,
  stepName: string,
  targetID: string,
  eventKey: string,
): Promise<ReadEventResult> {
  const [row] = await readEventAsStep.execute(on, { ...key, stepName, targetID, eventKey });
  if (row?.available === 0) return { kind: "empty" };
  if (row?.recorded !== 1 || row.value === null) return { kind: "refused" };
  return { kind: "found", value: row.value, serialization: row.serialization };
}
