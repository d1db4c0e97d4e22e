// runAsTransaction: a step whose database writes happen exactly once, because its completion
// record commits in the same transaction as the writes.
import { checkOptions, classifyError, DurablyError, maxInt4 } from "@durably/sysdb";
import { runDurableOperation, type DBOSContext } from "@durably/core";
import { extensionHost, abortableDelay, decodeValue, nestedOperationError, encodeValue } from "@durably/core/extension";
import type { Datasource, IsolationLevel } from "./datasource.js";

export interface TransactionStepOptions {
  /** Step name recorded for replay checks. Default: the function's name. */
  readonly name?: string;
  /** Default "read committed". Serialization failures and deadlocks are retried. */
  readonly isolation?: IsolationLevel;
  /** Run the transaction READ ONLY. Default false. */
  readonly readOnly?: boolean;
  /** Retries after serialization failures, deadlocks and a lost connection (nothing else is retried). Default 10. */
  readonly maxRetries?: number;
  /** Called after the transaction committed, before the step's checkpoint: for fault-injection tests. */
  readonly afterCommit?: () => void;
}

const isolations: readonly IsolationLevel[] = ["read committed", "repeatable read", "serializable"];

/**
 * Runs `body` in a transaction on the application database as the workflow's next step. The
 * step's result is recorded in that same transaction, so after any crash the writes either
 * committed once (and replays return the recorded result) or never happened. A thrown error
 * rolls back and is recorded as the step's error.
 *
 * @example
 * const left = await runAsTransaction(ctx, appDb, async (trx) => {
 *   const [row] = await trx`update stock set n = n - 1 where sku = ${sku} returning n`;
 *   return row.n;
 * }, { name: "reserve", isolation: "serializable" });
 */
export function runAsTransaction<T, Trx>(
  ctx: DBOSContext,
  datasource: Datasource<Trx>,
  body: (trx: Trx) => Promise<T>,
  options: TransactionStepOptions = {},
): Promise<T> {
  try {
    checkOptions("runAsTransaction", options, {
      name: { type: "string", nonEmpty: true },
      isolation: { type: "string", enum: isolations },
      readOnly: { type: "boolean" },
      maxRetries: { type: "number", integer: true, min: 0, max: maxInt4 },
      afterCommit: { type: "function" },
    });
  } catch (error) {
    return Promise.reject(error);
  }
  const source = datasource as Partial<Datasource<Trx>> | undefined;
  if (typeof source?.transaction !== "function" || typeof source.readCompletion !== "function")
    return Promise.reject(
      new DurablyError(
        "INVALID_ARGUMENT",
        "runAsTransaction's second argument must be a datasource: postgresDatasource(sql) or kyselyDatasource(db).",
      ),
    );
  if (typeof body !== "function")
    return Promise.reject(
      new DurablyError("INVALID_ARGUMENT", "runAsTransaction needs a function to run in the transaction."),
    );
  const name = options.name ?? (body.name || "transaction");
  const nested = nestedOperationError(ctx, `runAsTransaction (${name})`);
  if (nested !== undefined) return Promise.reject(nested);
  if (extensionHost(ctx).workflowOf(ctx) === undefined) {
    return Promise.reject(
      new DurablyError(
        "INVALID_ARGUMENT",
        `runAsTransaction (${name}) must be called inside a workflow, with the workflow's context.`,
      ),
    );
  }
  const isolation = options.isolation ?? "read committed";
  if (!isolations.includes(isolation))
    return Promise.reject(new DurablyError("INVALID_ARGUMENT", `isolation must be one of ${isolations.join(", ")}.`));
  const maxRetries = options.maxRetries ?? 10;
  const host = extensionHost(ctx);
  // Reserves the step ID now (synchronously), like every durable operation.
  return runDurableOperation(
    ctx,
    name,
    async (step) => {
      const { workflowID, stepID, format } = step!;
      const where = `result of transaction ${name} (workflow ${workflowID})`;
      const recorded = async () => {
        const done = await datasource.readCompletion(workflowID, stepID);
        return done === undefined
          ? undefined
          : { value: decodeValue(done.output, done.serialization, host.serializer, where) as T };
      };
      for (let attempt = 0; ; attempt++) {
        let thrownByBody: unknown;
        try {
          // Inside the loop, so an application database that is briefly away is waited out here too.
          await datasource.ensureReady();
          // Committed by an earlier execution that died before its checkpoint: never run it again.
          const earlier = await recorded();
          if (earlier !== undefined) return earlier.value;
          const value = await datasource.transaction(
            { isolation, readOnly: options.readOnly ?? false },
            async (trx) => {
              let result: T;
              try {
                result = await body(trx);
              } catch (error) {
                thrownByBody = error;
                throw error;
              }
              // Unstorable (or over maxPayloadBytes): rolls back, recorded as the step's error.
              const output = encodeValue(result, format, where, host.maxPayloadBytes);
              await datasource.insertCompletion(trx, workflowID, stepID, { output, serialization: format });
              return result;
            },
          );
          options.afterCommit?.();
          return value;
        } catch (error) {
          // A socket error from the body may be the user's own (an HTTP call's ECONNRESET): it is a
          // lost connection only if the driver marked it. One from opening or committing is the driver's.
          const kind = classifyError(error, { fromDriver: error !== thrownByBody });
          // Another execution of this step committed first: its writes stand, ours rolled back.
          if (kind === "unique_violation" || kind === "connection") {
            const winner = await recorded().catch(() => undefined);
            if (winner !== undefined) return winner.value;
          }
          if ((kind !== "contention" && kind !== "connection") || attempt >= maxRetries) throw error;
          host.logger.info("transaction step hit a transient database error; retrying", {
            workflowID,
            step: name,
            attempt: attempt + 1,
            error,
          });
          await abortableDelay(Math.min(1_000, 10 * 2 ** attempt) * (0.5 + Math.random()), ctx.signal);
        }
      }
    },
    { operationType: "transaction" },
  );
}
