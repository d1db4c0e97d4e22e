// The configuration users give createDBOSContext, validated and frozen before any I/O.
import { checkDatabaseUrl, checkOptions, DurablyError, validateSchemaName, defaultSchemaName } from "@durably/sysdb";
import type { OptionRules } from "@durably/sysdb";
import { systemClock, type Clock } from "./clock.js";
import { createConsoleLogger, type Logger } from "./logger.js";
import {
  defaultMaxPayloadBytes,
  isSerializationFormat,
  maxPayloadBytesCeiling,
  type SerializationFormat,
} from "./serialization/index.js";

export interface DBOSConfig {
  /** Name of the application; owns its rows in a shared system database. Required. */
  readonly appName: string;
  /** Postgres URL of the system database. Default: the DBOS_SYSTEM_DATABASE_URL environment variable. */
  readonly systemDatabaseUrl?: string;
  /**
   * A direct Postgres URL (not through a transaction pooler) used only for LISTEN, when
   * systemDatabaseUrl goes through one (the "direct" or "session" URL Neon and Supabase give).
   * Default: the DURABLY_LISTEN_DATABASE_URL environment variable, else systemDatabaseUrl.
   */
  readonly listenUrl?: string;
  /**
   * Set when systemDatabaseUrl goes through a pooler in transaction mode (PgBouncer
   * `pool_mode = transaction`, Supavisor's port 6543, RDS Proxy): no prepared statement is kept
   * across transactions, and without listenUrl notifications are replaced by adaptive polling.
   * Default: the DURABLY_TRANSACTION_POOLER environment variable (`true` or `1`), else false.
   */
  readonly transactionPooler?: boolean;
  /**
   * Version of this code; recovery only resumes workflows of the same version. Default: DBOS__APPVERSION, else a hash
   * of the registered workflows' source.
   */
  readonly applicationVersion?: string;
  /**
   * Other application versions whose workflows this worker's code can replay (its steps, in order,
   * are the same for them, or every change is guarded by `patched`). Recovery, dequeue and adoption
   * take workflows of this worker's version and of these. Default: none (only its own version).
   */
  readonly compatibleVersions?: readonly string[];
  /**
   * Opt-in: at launch and on every lease sweep, pending and enqueued workflows of this application
   * whose version no live worker serves are moved to this worker's version and run here. Only turn
   * it on when this code replays every older version (see "Deploying new code" in the README).
   * Default false: they are left as they are, and launch warns how many there are.
   */
  readonly upgradeStrandedVersions?: boolean;
  /** Identity of this process for recovery. Default: DBOS__VMID, else `"local"`. */
  readonly executorId?: string;
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** Schema of the system tables. Default `"dbos"`. */
  readonly schema?: string;
  /**
   * Format of stored values. Default `"js_superjson"` (DBOS TypeScript's); `"portable_json"` is plain JSON, readable
   * from any language.
   */
  readonly serializer?: SerializationFormat;
  /** Default: JSON lines on stderr, warnings and errors only (DURABLY_LOG_LEVEL changes the level). */
  readonly logger?: Logger;
  /** How long to wait for a connection at launch. Default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * How often the internal queue (resume, fork, DBOS clients) is polled when no notification arrives. Default 1000 ms.
   */
  readonly pollIntervalMs?: number;
  /**
   * The longest wait between two reads of a workflow's row by getResult in a process that does not
   * run it (the reads back off from 10 ms to this). The process running it wakes the waiter when the
   * outcome commits, so this only bounds the wait when that notification is lost. Default 1000 ms.
   */
  readonly resultPollIntervalMs?: number;
  /**
   * How often this process renews its executor lease, on the database clock. Default 2000 ms.
   * The live processes of the application adopt the workflows of a process whose lease lapsed.
   */
  readonly leaseRenewMs?: number;
  /**
   * How long a lease lasts without renewal before other processes adopt its workflows. At least 3 × leaseRenewMs.
   * Default 10 000 ms.
   */
  readonly leaseLapseMs?: number;
  /**
   * The largest serialized value stored (a workflow's input or output, a step's output, a message, an event, a
   * stream value), in UTF-8 bytes. A larger one fails with PAYLOAD_TOO_LARGE before anything is written.
   * Default 64 MiB (67 108 864): above the tens of megabytes a step may fairly return, far below Postgres's 1 GB
   * field limit and the sizes that make a recovery run out of memory. At most 1 000 000 000.
   */
  readonly maxPayloadBytes?: number;
  /** Time source. Default: the system clock. For tests. */
  readonly clock?: Clock;
  /**
   * Called with every SQL statement sent to the system database (not the listener's). For diagnostics and benchmarks.
   */
  readonly onQuery?: (sql: string, connection: number, parameters: readonly unknown[]) => void;
}

export interface ResolvedConfig {
  readonly appName: string;
  readonly systemDatabaseUrl: string;
  /** Where the URL came from, named in errors: `systemDatabaseUrl` or `DBOS_SYSTEM_DATABASE_URL`. */
  readonly systemDatabaseUrlName: string;
  readonly listenUrl: string | undefined;
  /** `listenUrl` or `DURABLY_LISTEN_DATABASE_URL`. */
  readonly listenUrlName: string;
  readonly transactionPooler: boolean;
  readonly applicationVersion: string | undefined;
  readonly compatibleVersions: readonly string[];
  readonly upgradeStrandedVersions: boolean;
  readonly executorId: string;
  /** True when executorId is the default "local": many processes may share it (see launch). */
  readonly executorIdIsDefault: boolean;
  readonly poolSize: number;
  readonly schema: string;
  readonly serializer: SerializationFormat;
  readonly logger: Logger;
  readonly connectTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly resultPollIntervalMs: number;
  readonly leaseRenewMs: number;
  readonly leaseLapseMs: number;
  readonly maxPayloadBytes: number;
  readonly clock: Clock;
  readonly onQuery: ((sql: string, connection: number, parameters: readonly unknown[]) => void) | undefined;
  /** True for a client from createClient: no workflow code, nothing to recover or serve. */
  readonly client: boolean;
}

/** What each key of a {@link DBOSConfig} must be (appName's presence is checked with its hint below). */
export const configRules: OptionRules = {
  appName: { type: "string" },
  systemDatabaseUrl: { type: "string" },
  applicationVersion: { type: "string" },
  compatibleVersions: { type: "array", items: { type: "string", nonEmpty: true } },
  upgradeStrandedVersions: { type: "boolean" },
  executorId: { type: "string" },
  poolSize: { type: "number", integer: true, min: 2, max: 1000 },
  schema: { type: "string" },
  serializer: { type: "string", enum: ["js_superjson", "portable_json"] },
  logger: { type: "object" },
  connectTimeoutMs: { type: "number", above: 0 },
  pollIntervalMs: { type: "number", above: 0 },
  resultPollIntervalMs: { type: "number", min: 10 },
  leaseRenewMs: { type: "number", integer: true, min: 50, max: 600_000 },
  leaseLapseMs: { type: "number", integer: true, min: 150, max: 3_600_000 },
  maxPayloadBytes: { type: "number", integer: true, min: 1024, max: maxPayloadBytesCeiling },
  clock: { type: "object" },
  onQuery: { type: "function" },
  listenUrl: { type: "string" },
  transactionPooler: { type: "boolean" },
};

/** Validates a config and fills in defaults; every problem is a typed INVALID_CONFIG error. */
export function resolveConfig(
  config: DBOSConfig,
  env: NodeJS.ProcessEnv = process.env,
  client = false,
): ResolvedConfig {
  if (typeof config !== "object" || config === null)
    invalid('the config must be an object such as { appName: "shop" }');
  checkOptions(client ? "createClient" : "createDBOSContext", config, configRules, "INVALID_CONFIG");
  if (!(client && config.appName === "") && (typeof config.appName !== "string" || config.appName.trim() === "")) {
    invalid('appName is required: a non-empty string naming your application, e.g. { appName: "shop" }');
  }
  const fromEnv = config.systemDatabaseUrl === undefined;
  const systemDatabaseUrlName = fromEnv ? "DBOS_SYSTEM_DATABASE_URL" : "systemDatabaseUrl";
  const systemDatabaseUrl = config.systemDatabaseUrl ?? env.DBOS_SYSTEM_DATABASE_URL;
  if (systemDatabaseUrl === undefined) {
    invalid(
      "no system database: set systemDatabaseUrl or the DBOS_SYSTEM_DATABASE_URL environment variable " +
        "to a postgres:// URL",
    );
  }
  checkDatabaseUrl(systemDatabaseUrl, `Invalid durably config: ${systemDatabaseUrlName}`, "INVALID_CONFIG");
  const listenUrlName = config.listenUrl === undefined ? "DURABLY_LISTEN_DATABASE_URL" : "listenUrl";
  const listenUrl = config.listenUrl ?? (env.DURABLY_LISTEN_DATABASE_URL || undefined);
  if (listenUrl !== undefined)
    checkDatabaseUrl(listenUrl, `Invalid durably config: ${listenUrlName}`, "INVALID_CONFIG");
  const transactionPooler = config.transactionPooler ?? envFlag(env, "DURABLY_TRANSACTION_POOLER");
  const poolSize = config.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 2 || poolSize > 1000)
    invalid(`poolSize must be an integer from 2 to 1000, got ${String(poolSize)}`);
  const serializer = config.serializer ?? "js_superjson";
  if (!isSerializationFormat(serializer))
    invalid(`serializer must be "js_superjson" or "portable_json", got ${JSON.stringify(serializer)}`);
  const connectTimeoutMs = positive("connectTimeoutMs", config.connectTimeoutMs ?? 10_000);
  const pollIntervalMs = positive("pollIntervalMs", config.pollIntervalMs ?? 1_000);
  const resultPollIntervalMs = positive("resultPollIntervalMs", config.resultPollIntervalMs ?? 1_000);
  const applicationVersion = config.applicationVersion ?? env.DBOS__APPVERSION;
  if (applicationVersion !== undefined && (typeof applicationVersion !== "string" || applicationVersion === "")) {
    invalid("applicationVersion must be a non-empty string");
  }
  const compatibleVersions = checkCompatibleVersions(config.compatibleVersions);
  const leaseRenewMs = config.leaseRenewMs ?? 2_000;
  const leaseLapseMs = config.leaseLapseMs ?? Math.max(10_000, 3 * leaseRenewMs);
  if (leaseLapseMs < 3 * leaseRenewMs) {
    invalid(
      `leaseLapseMs (${leaseLapseMs}) must be at least 3 × leaseRenewMs (${leaseRenewMs}), ` +
        "so a lease survives a missed renewal; raise leaseLapseMs or lower leaseRenewMs",
    );
  }
  const executorId = config.executorId ?? env.DBOS__VMID ?? "local";
  if (typeof executorId !== "string" || executorId === "") invalid("executorId must be a non-empty string");
  let schema: string;
  try {
    schema = validateSchemaName(config.schema ?? defaultSchemaName);
  } catch (error) {
    throw new DurablyError("INVALID_CONFIG", (error as Error).message, { cause: error });
  }
  return Object.freeze({
    appName: config.appName,
    systemDatabaseUrl,
    systemDatabaseUrlName,
    listenUrl,
    listenUrlName,
    transactionPooler,
    applicationVersion,
    compatibleVersions,
    upgradeStrandedVersions: config.upgradeStrandedVersions ?? false,
    executorId,
    executorIdIsDefault: config.executorId === undefined && env.DBOS__VMID === undefined,
    poolSize,
    schema,
    serializer,
    logger: config.logger ?? createConsoleLogger(),
    connectTimeoutMs,
    pollIntervalMs,
    resultPollIntervalMs,
    leaseRenewMs,
    leaseLapseMs,
    maxPayloadBytes: config.maxPayloadBytes ?? defaultMaxPayloadBytes,
    clock: config.clock ?? systemClock,
    onQuery: config.onQuery,
    client,
  });
}

/** compatibleVersions (items checked by configRules): a frozen copy, without duplicates. */
function checkCompatibleVersions(value: readonly string[] | undefined): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  if (new Set(value).size !== value.length) invalid("compatibleVersions lists a version twice");
  return Object.freeze([...value]);
}

/** A boolean environment variable: `true`/`1` or `false`/`0` (or unset); anything else is refused. */
function envFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === "" || value === "false" || value === "0") return false;
  if (value === "true" || value === "1") return true;
  return invalid(`${name} must be true, 1, false or 0, got ${JSON.stringify(env[name])}`);
}

function positive(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0)
    invalid(`${name} must be a positive number of milliseconds`);
  return value as number;
}

function invalid(problem: string): never {
  throw new DurablyError("INVALID_CONFIG", `Invalid durably config: ${problem}.`);
}
