// What durably's system schema adds to DBOS 5.3.0's on purpose, each with its reason. The
// compatibility tests accept these differences and no others.

export interface DeliberateDifference {
  /** The line diffCatalogs(durably, dbos) prints for it. */
  readonly difference: string;
  readonly reason: string;
}

export const deliberateDifferences: readonly DeliberateDifference[] = [
  {
    difference: "table durably_migrations: only in durably",
    reason:
      "durably's own migration ledger, kept beside DBOS's single-row dbos_migrations so DBOS's counter " +
      "is never renumbered; DBOS neither reads nor writes it.",
  },
];
