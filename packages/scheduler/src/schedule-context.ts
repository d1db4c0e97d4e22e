// A schedule's context as DBOS stores it: the schedules table has no serialization column, and
// DBOS's client reads the context with its default serializer (superjson), so that is what is written.
import { DurablyError } from "@durably/sysdb";
import type { ScheduleRecord } from "@durably/sysdb/queries";
import { decodeValue, encodeValue } from "@durably/core/extension";

/**
 * Encodes a schedule's context in `format`. The schedules table has no serialization column and
 * DBOS's client reads the context with its default serializer, so the stored text is always
 * js_superjson; a check in the application's own format tells a portable_json application at
 * creation that its ticks could not carry the context.
 */
export function encodeScheduleContext(
  context: unknown,
  format: "js_superjson" | "portable_json",
  name: string,
): string {
  try {
    return encodeValue(context, format, `context of schedule ${name}`);
  } catch (error) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `Schedule ${name}: context cannot be stored: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * A schedule's context as stored: DBOS's superjson envelope, or plain JSON (rows of a portable
 * DBOS client, or written by earlier durably releases). An absent context reads as null.
 */
export function decodeScheduleContext(r: ScheduleRecord): unknown {
  return decodeValue(r.context, "js_superjson", "js_superjson", `context of schedule ${r.name}`) ?? null;
}
