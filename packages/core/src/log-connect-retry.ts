// One warning per failed attempt while launch or createClient waits for the system database, so a
// process that seems to hang at start says why.
import type { DurablyError } from "@durably/sysdb";
import type { Logger } from "./logger.js";

export function logConnectRetry(logger: Logger): (failure: DurablyError, attempt: number) => void {
  return (failure, attempt) =>
    logger.warn(`system database not reachable yet; retrying: ${failure.message}`, { attempt });
}
