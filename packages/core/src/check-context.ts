// The first argument of durably's functions: JavaScript callers get no type check, and anything but
// a context would otherwise fail later with a TypeError that names none of durably's rules.
import { DurablyError } from "@durably/sysdb";
import { DBOSContext } from "./dbos-context.js";

/** INVALID_ARGUMENT unless `ctx` is a DBOSContext (a worker's, a client's or a workflow's). */
export function checkContext(where: string, ctx: unknown): asserts ctx is DBOSContext {
  if (!(ctx instanceof DBOSContext))
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `${where}'s first argument must be a DBOSContext (from createDBOSContext or createClient).`,
    );
}
