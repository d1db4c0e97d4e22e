// Who is claiming workflows: the executor, the lease of its process, and the versions it serves.

export interface ExecutorIdentity {
  readonly executorID: string;
  /** This process's lease (executor-leases.ts): it prefixes the owner token of every claim. */
  readonly leaseID: string;
  readonly applicationVersion: string;
  /** Every version this executor runs: its own and those its config declares compatible. */
  readonly servedVersions: readonly string[];
  readonly applicationName: string;
  readonly now: number;
}
