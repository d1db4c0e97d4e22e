// Streams (dbos.streams): ordered values per (workflow, key), each append written together with
// its step's checkpoint; a close marker ends the stream.
import { expressionBuilder, sql } from "kysely";
import { CompiledStatement } from "../compiled-statement.js";
import type { Queryable } from "../queryable.js";
import type { SystemSchema } from "../tables.js";
import { insertFencedCheckpoint, stepIsFree, type StepKey } from "./step-fence.js";

/** The value that closes a stream, stored as portable_json (as DBOS stores it). */
export const streamClosedMarker = JSON.stringify("__DBOS_STREAM_CLOSED__");

export type AppendResult =
  | { readonly kind: "appended"; readonly offset: number }
  | { readonly kind: "closed" }
  | { readonly kind: "refused" };

const eb = expressionBuilder<SystemSchema>();

interface Append extends StepKey {
  readonly stepName: string;
  readonly streamKey: string;
  readonly value: string;
  readonly serialization: string;
}

const append = new CompiledStatement((db, p: Append) =>
  db
    .with("closed", (db) =>
      db
        .selectFrom("streams")
        .select(sql.lit(1).as("one"))
        .where("workflow_uuid", "=", p.workflowID)
        .where("key", "=", p.streamKey)
        .where("value", "=", streamClosedMarker)
        .limit(sql.lit(1)),
    )
    .with("cp", (db) =>
      insertFencedCheckpoint(db, {
        key: p,
        stepName: p.stepName,
        output: null,
        serialization: p.serialization,
        where: eb.and([eb.not(eb.exists(db.selectFrom("closed").select(sql.lit(1).as("one")))), stepIsFree(p)]),
      })
        .onConflict((oc) => oc.doNothing())
        .returning("function_id"),
    )
    .with("appended", (db) =>
      db
        .insertInto("streams")
        .columns(["workflow_uuid", "key", "value", "offset", "function_id", "serialization"])
        .expression(
          db.selectFrom("cp").select((eb) => [
            eb.val(p.workflowID).as("workflow_uuid"),
            eb.val(p.streamKey).as("key"),
            eb.val(p.value).as("value"),
            eb(
              eb.fn.coalesce(
                eb
                  .selectFrom("streams")
                  .select((eb) => eb.fn.max("offset").as("max"))
                  .where("workflow_uuid", "=", p.workflowID)
                  .where("key", "=", p.streamKey)
                  .$asScalar(),
                sql.lit(-1),
              ),
              "+",
              sql.lit(1),
            ).as("offset"),
            eb.val(p.stepID).as("function_id"),
            eb.val(p.serialization).as("serialization"),
          ]),
        )
        .returning("offset"),
    )
    .selectNoFrom((eb) => [
      eb
        .selectFrom("closed")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .$asScalar()
        .as("closed"),
      eb.selectFrom("appended").select("offset").$asScalar().as("offset"),
    ]),
);

/**
 * Appends a value at the next offset and checkpoints the step, in one statement. Nothing is
 * written when the stream is already closed. A concurrent append to the same stream can raise a
 * unique violation (23505): retry it.
 */
export async function appendToStream(
  on: Queryable,
  key: StepKey,
  stepName: string,
  streamKey: string,
  value: string,
  serialization: string,
): Promise<AppendResult> {
  const [row] = await append.execute(on, { ...key, stepName, streamKey, value, serialization });
  if (row?.closed === 1) return { kind: "closed" };
  if (row?.offset === null || row?.offset === undefined) return { kind: "refused" };
  return { kind: "appended", offset: row.offset };
}

export interface StreamEntry {
  readonly offset: number;
  readonly value: string;
  readonly serialization: string | null;
}

/** Up to `limit` entries from `fromOffset` on, in order (the close marker included, if reached). */
export async function readStreamEntries(
  on: Queryable,
  workflowID: string,
  streamKey: string,
  fromOffset: number,
  limit: number,
): Promise<StreamEntry[]> {
  return on.db
    .selectFrom("streams")
    .select(["offset", "value", "serialization"])
    .where("workflow_uuid", "=", workflowID)
    .where("key", "=", streamKey)
    .where("offset", ">=", fromOffset)
    .orderBy("offset")
    .limit(limit)
    .execute();
}
