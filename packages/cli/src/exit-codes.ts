// The exit codes scripts can rely on.
export const exitCodes = {
  ok: 0,
  /** The operation ran and failed: unknown ID, refused change, workflow error. */
  failed: 1,
  /** The command line was wrong: unknown option, bad filter value. */
  usage: 2,
  /** The system database could not be reached. */
  unavailable: 3,
} as const;
