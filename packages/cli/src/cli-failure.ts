// An error the CLI reports as one clear line with a hint, and the exit code it maps to.
import { isDurablyError } from "@durably/sysdb";
import { exitCodes } from "./exit-codes.js";

export class CliFailure extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = exitCodes.failed) {
    super(message);
    this.name = "CliFailure";
    this.exitCode = exitCode;
  }
}

/** Usage mistakes (bad flag values): exit code 2. */
export function usage(message: string): CliFailure {
  return new CliFailure(message, exitCodes.usage);
}

/** The exit code for any error thrown by a command. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CliFailure) return error.exitCode;
  if (isDurablyError(error, "DATABASE_UNAVAILABLE")) return exitCodes.unavailable;
  if (
    isDurablyError(error, "INVALID_ARGUMENT") ||
    isDurablyError(error, "INVALID_CONFIG") ||
    isDurablyError(error, "INVALID_NAME")
  )
    return exitCodes.usage;
  return exitCodes.failed;
}
