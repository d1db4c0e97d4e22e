// The options of createDashboardHandler, checked like every public options object.
import { checkOptions, DurablyError } from "@durably/sysdb";

export interface DashboardOptions {
  /**
   * When set, every request (pages, assets, API, event stream) must carry it: as the `x-durably-token`
   * header, the `token` query parameter (GET only) or the cookie a page load with `?token=` sets.
   * Default: none (anyone who reaches the handler may use it; mount it behind your own auth).
   */
  readonly token?: string;
  /** Removes every action: state-changing requests answer 403 and the UI shows no buttons. Default false. */
  readonly readOnly?: boolean;
  /** Shows metadata only: no inputs, outputs, errors, events or messages leave the server. Default false. */
  readonly redact?: boolean;
  /**
   * The URL path the handler is mounted at (it strips it), starting with `/`, e.g. `/admin/durably`;
   * for plain node:http and Fastify (which pass the full URL). Default `/`.
   * Express strips its mount path itself: leave this at `/` there.
   */
  readonly basePath?: string;
  /**
   * How often the live feed reads, for all open tabs at once, the steps and status of the workflows they
   * show (and, while one shows the list, queues or workers, what was created, started or finished), in
   * ms. Nothing is read while no tab is open. Default 1000.
   */
  readonly probeIntervalMs?: number;
}

const rules = {
  token: { type: "string", nonEmpty: true },
  readOnly: { type: "boolean" },
  redact: { type: "boolean" },
  basePath: { type: "string" },
  probeIntervalMs: { type: "number", integer: true, min: 50, max: 60_000 },
} as const;

export interface ResolvedDashboardOptions {
  readonly token: string | undefined;
  readonly readOnly: boolean;
  readonly redact: boolean;
  readonly basePath: string;
  readonly probeIntervalMs: number;
}

/** Checks `options` and fills in the defaults. */
export function resolveDashboardOptions(options: DashboardOptions): ResolvedDashboardOptions {
  checkOptions("createDashboardHandler", options, rules);
  const base = options.basePath ?? "/";
  if (!base.startsWith("/") || /[?#\s]/.test(base)) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `createDashboardHandler: basePath ${JSON.stringify(base)} must be a URL path starting with "/" ` +
        '(no query, fragment or spaces), e.g. "/admin/durably".',
    );
  }
  return {
    token: options.token,
    readOnly: options.readOnly ?? false,
    redact: options.redact ?? false,
    basePath: base.endsWith("/") ? base : `${base}/`,
    probeIntervalMs: options.probeIntervalMs ?? 1000,
  };
}
