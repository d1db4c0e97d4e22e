// What `pnpm test:pg <major>` (and CI's phases for Postgres 13 and 17) run when no package is named.
export const defaultPackages: readonly string[] = Object.freeze([
  "sysdb",
  "core",
  "queues",
  "notifications",
  "scheduler",
  "datasource",
]);
