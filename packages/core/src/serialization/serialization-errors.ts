// Builds the two typed errors of this subsystem (SERIALIZATION and DESERIALIZATION) with
// messages that say what failed, where in the value, and what to do about it.

import { DurablyError } from "@durably/sysdb";
import { formatValuePath, type ValuePathSegment } from "./value-path.js";

export interface SerializationProblem {
  /** What is being stored or read, e.g. "workflow input", "output of step charge". */
  readonly where: string;
  /** The format in use (or the unknown name found in the row). */
  readonly format: string;
  /** What is wrong, completing "the value at $.x …", e.g. "is a function". */
  readonly problem: string;
  /** What the caller can do about it. */
  readonly fix: string;
  readonly path?: readonly ValuePathSegment[];
  readonly cause?: unknown;
}

/** The value cannot be stored in the chosen format: nothing was written. */
export function serializationError(p: SerializationProblem): DurablyError {
  const at = p.path === undefined ? "" : atPath(p.path);
  return new DurablyError(
    "SERIALIZATION",
    `Cannot store ${p.where} as ${p.format}: the value${at} ${p.problem}. ${p.fix}`,
    { cause: p.cause, details: details(p) },
  );
}

/** The stored text cannot be turned back into a value (corrupt, foreign or hostile). */
export function deserializationError(p: SerializationProblem): DurablyError {
  const at = p.path === undefined ? "" : ` (at ${formatValuePath(p.path)})`;
  return new DurablyError(
    "DESERIALIZATION",
    `Cannot read ${p.where} stored as ${p.format}: ${p.problem}${at}. ${p.fix}`,
    { cause: p.cause, details: details(p) },
  );
}

/** The usual advice for a row that does not decode. */
export const corruptRowFix =
  "The row was not written by durably or a compatible DBOS version, or was altered; inspect the stored text.";

function atPath(path: readonly ValuePathSegment[]): string {
  return path.length === 0 ? "" : ` at ${formatValuePath(path)}`;
}

function details(p: SerializationProblem): Record<string, unknown> {
  const out: Record<string, unknown> = { where: p.where, format: p.format };
  if (p.path !== undefined) out.path = formatValuePath(p.path);
  return out;
}
