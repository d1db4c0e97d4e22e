// Statements on the hot paths (workflow start, group commit, step-fenced checkpoints, dequeue,
// send/recv): built with Kysely once, compiled once per schema, then sent many times with fresh
// parameters, so the typed builder costs nothing per call.
import type { Compilable, CompiledQuery, Kysely } from "kysely";
import type { Queryable } from "./queryable.js";
import type { SystemSchema } from "./tables.js";

/** Stands in for a parameter while the statement is built; replaced by the caller's value on each call. */
class Placeholder {
  constructor(readonly name: string) {}
}

interface Compiled<R> {
  readonly query: CompiledQuery<R>;
  /** For each parameter of the compiled text: the caller's parameter of that name, or a constant. */
  readonly sources: readonly ({ readonly name: string } | { readonly value: unknown })[];
}

/**
 * A statement whose shape never changes. `build` receives the parameters as placeholders (each
 * typed as its value, so the builder checks them against the columns) and must use each one only
 * as a value, never to decide the statement's shape.
 *
 * @example
 * const readEvent = new CompiledStatement((db, p: { workflowID: string; key: string }) =>
 *   db.selectFrom("workflow_events").select(["value"])
 *     .where("workflow_uuid", "=", p.workflowID).where("key", "=", p.key));
 * const rows = await readEvent.execute(sysdb, { workflowID: "order-42", key: "state" });
 */
export class CompiledStatement<P extends object, R> {
  readonly #build: (db: Kysely<SystemSchema>, parameters: P) => Compilable<R>;
  // A memo of a pure function of the schema name (the statement text names the schema).
  readonly #bySchema = new Map<string, Compiled<R>>();

  constructor(build: (db: Kysely<SystemSchema>, parameters: P) => Compilable<R>) {
    this.#build = build;
  }

  /** Sends the statement on `on` (the pool or a transaction) with `parameters`; resolves to its rows. */
  async execute(on: Queryable, parameters: P): Promise<R[]> {
    const compiled = this.#compiled(on);
    const values = compiled.sources.map((source) =>
      "name" in source ? parameters[source.name as keyof P] : source.value,
    );
    const result = await on.db.executeQuery<R>({ ...compiled.query, parameters: values });
    return result.rows;
  }

  #compiled(on: Queryable): Compiled<R> {
    let compiled = this.#bySchema.get(on.schema);
    if (compiled === undefined) {
      const placeholders = new Proxy({}, { get: (_, name) => new Placeholder(String(name)) }) as P;
      const query = this.#build(on.db, placeholders).compile();
      const sources = query.parameters.map((value) =>
        value instanceof Placeholder ? { name: value.name } : { value },
      );
      compiled = { query, sources };
      this.#bySchema.set(on.schema, compiled);
    }
    return compiled;
  }
}
