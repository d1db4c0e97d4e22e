// writeStream and closeStream: append values to a workflow's stream, each append one statement
// that also checkpoints the step, so replays never write a value twice.
import { classifyError, DurablyError } from "@durably/sysdb";
import { appendToStream, streamClosedMarker, streamsChannel } from "@durably/sysdb/queries";
import { runAtomicOperation, type DBOSContext } from "@durably/core";
import { extensionHost, encodeValue, withDatabaseRetry } from "@durably/core/extension";

/**
 * Appends `value` to stream `key` of this workflow (step `DBOS.writeStream`). Readers see values
 * in write order. Writing to a closed stream fails with INVALID_ARGUMENT.
 *
 * @example
 * for await (const token of llm.stream(prompt)) await writeStream(ctx, "tokens", token);
 * await closeStream(ctx, "tokens");
 */
export async function writeStream(ctx: DBOSContext, key: string, value: unknown): Promise<void> {
  const run = requireWorkflow(ctx, "writeStream", key);
  const text = encodeValue(value, run.format, `value of stream ${key}`, extensionHost(ctx).maxPayloadBytes);
  await append(ctx, "DBOS.writeStream", key, text, run.format);
}

/** Closes stream `key` of this workflow: readers end after the last value (step `DBOS.closeStream`). */
export async function closeStream(ctx: DBOSContext, key: string): Promise<void> {
  requireWorkflow(ctx, "closeStream", key);
  await append(ctx, "DBOS.closeStream", key, streamClosedMarker, "portable_json");
}

function requireWorkflow(ctx: DBOSContext, what: string, key: string) {
  if (typeof key !== "string" || key === "")
    throw new DurablyError("INVALID_ARGUMENT", `${what} needs a non-empty stream key.`);
  const run = extensionHost(ctx).workflowOf(ctx);
  if (run === undefined)
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `${what} can only be called inside a workflow, with the workflow's context.`,
    );
  return run;
}

async function append(
  ctx: DBOSContext,
  stepName: string,
  key: string,
  text: string,
  serialization: string,
): Promise<void> {
  const host = extensionHost(ctx);
  const workflowID = extensionHost(ctx).workflowOf(ctx)!.workflowID;
  await runAtomicOperation(ctx, stepName, async (step) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await withDatabaseRetry(
          "write to a stream",
          () => appendToStream(host.sysdb, { ...step, now: host.now() }, stepName, key, text, serialization),
          { logger: host.logger, signal: host.shutdownSignal },
        );
        if (result.kind === "closed") {
          throw new DurablyError(
            "INVALID_ARGUMENT",
            `Stream ${key} of workflow ${workflowID} is closed; it takes no more values.`,
            { workflowID },
          );
        }
        if (result.kind === "refused") return { recorded: false };
        host.notifier.notify(streamsChannel, `${workflowID}::${key}`);
        return { recorded: true, value: undefined };
      } catch (error) {
        // Two appends raced for the same offset (concurrent writes to one stream): take the next.
        if (classifyError(error) !== "unique_violation" || attempt >= 10) throw error;
      }
    }
  });
}
