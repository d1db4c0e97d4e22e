// --transaction-pooler and --listen-db: how the CLI reaches a system database behind a pooler in
// transaction mode, with the environment variables a worker reads as their defaults.
import { checkDatabaseUrl } from "@durably/sysdb";
import { usage } from "./cli-failure.js";

export interface PoolerFlags {
  readonly transactionPooler?: boolean;
  readonly listenDb?: string;
}

/** What openSystemDatabase and createClient are given. */
export interface PoolerSettings {
  readonly transactionPooler: boolean;
  readonly listenUrl?: string;
  /** `--listen-db` or `DURABLY_LISTEN_DATABASE_URL`, named in errors. */
  readonly listenUrlName?: string;
}

/**
 * --transaction-pooler, else DURABLY_TRANSACTION_POOLER (true, 1, false, 0); --listen-db, else
 * DURABLY_LISTEN_DATABASE_URL. A malformed value is a usage error naming where it came from.
 */
export function poolerSettings(flags: PoolerFlags, env: NodeJS.ProcessEnv = process.env): PoolerSettings {
  const transactionPooler = flags.transactionPooler ?? envFlag(env.DURABLY_TRANSACTION_POOLER);
  const listenUrlName = flags.listenDb === undefined ? "DURABLY_LISTEN_DATABASE_URL" : "--listen-db";
  const listenUrl = flags.listenDb ?? (env.DURABLY_LISTEN_DATABASE_URL || undefined);
  if (listenUrl === undefined) return { transactionPooler };
  // A malformed URL is an INVALID_ARGUMENT: exit code 2, like --db.
  return { transactionPooler, listenUrl: checkDatabaseUrl(listenUrl, listenUrlName), listenUrlName };
}

function envFlag(value: string | undefined): boolean {
  const normalized = value?.trim().toLowerCase();
  if (normalized === undefined || normalized === "" || normalized === "false" || normalized === "0") return false;
  if (normalized === "true" || normalized === "1") return true;
  throw usage(`DURABLY_TRANSACTION_POOLER must be true, 1, false or 0, got ${JSON.stringify(value)}.`);
}
