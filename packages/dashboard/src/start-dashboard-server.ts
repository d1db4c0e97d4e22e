// startDashboardServer: the dashboard on its own port, as `durably dashboard` runs it. Loopback by
// default; any other address gets a token (generated unless given), checked on every request.
import { createServer } from "node:http";
import { isIP } from "node:net";
import type { DBOSContext } from "@durably/core";
import { checkOptions, DurablyError } from "@durably/sysdb";
import { nanoid } from "nanoid";
import { createDashboardHandler } from "./create-dashboard-handler.js";
import type { LiveStats } from "./live-feed.js";

export interface DashboardServerOptions {
  /** The address to bind. Default `127.0.0.1`; any non-loopback address requires a token (generated when not given). */
  readonly host?: string;
  /** The port; 0 picks a free one. Default 4000. */
  readonly port?: number;
  /** The token every request must carry. Default: none on loopback, a generated one elsewhere. */
  readonly token?: string;
  /** No actions (see createDashboardHandler). Default false. */
  readonly readOnly?: boolean;
  /** Metadata only, no values (see createDashboardHandler). Default false. */
  readonly redact?: boolean;
  /** The live feed's probe interval in ms (see createDashboardHandler). Default 1000. */
  readonly probeIntervalMs?: number;
}

export interface DashboardServer {
  /** The URL to open, with `?token=…` when there is a token. */
  readonly url: string;
  /** The token requests must carry, if any. */
  readonly token: string | undefined;
  /** True when the token was generated here (the caller prints it). */
  readonly generatedToken: boolean;
  /** The live feed's open tabs, the workflows they watch and the queries it ran. */
  liveStats(): LiveStats;
  /** Stops the server and its event streams (the client stays open). */
  close(): Promise<void>;
}

const rules = {
  host: { type: "string", nonEmpty: true },
  port: { type: "number", integer: true, min: 0, max: 65_535 },
  token: { type: "string", nonEmpty: true },
  readOnly: { type: "boolean" },
  redact: { type: "boolean" },
  probeIntervalMs: { type: "number", integer: true, min: 50, max: 60_000 },
} as const;

/** Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1" || host === "[::1]";
}

/**
 * Serves the dashboard for `client` until `close()`.
 *
 * @example
 * const server = await startDashboardServer(client, { port: 4000 });
 * console.log(`dashboard at ${server.url}`);
 */
export async function startDashboardServer(
  client: DBOSContext,
  options: DashboardServerOptions = {},
): Promise<DashboardServer> {
  checkOptions("startDashboardServer", options, rules);
  const host = options.host ?? "127.0.0.1";
  const loopback = isLoopback(host);
  const generatedToken = !loopback && options.token === undefined;
  const token = generatedToken ? nanoid(32) : options.token;
  const handler = createDashboardHandler(client, {
    ...(token === undefined ? {} : { token }),
    readOnly: options.readOnly ?? false,
    redact: options.redact ?? false,
    ...(options.probeIntervalMs === undefined ? {} : { probeIntervalMs: options.probeIntervalMs }),
  });
  const server = createServer((req, res) => {
    // Without a token, answer only requests addressed to a loopback name: a page on another site
    // that rebinds its DNS name to 127.0.0.1 sends its own name as Host.
    if (token === undefined) {
      const name = (req.headers.host ?? "").replace(/:\d+$/, "");
      if (!isLoopback(name)) {
        res.writeHead(403, { "content-type": "text/plain" }).end("403 Forbidden: unexpected Host header.\n");
        return;
      }
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new DurablyError(
          "INVALID_ARGUMENT",
          `The dashboard cannot listen on ${host}:${options.port ?? 4000}: ${error.code ?? error.message}; ` +
            "pick another --port or --host.",
        ),
      ),
    );
    server.listen(options.port ?? 4000, host, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 4000);
  const shown = isIP(host) === 6 ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/${token === undefined ? "" : `?token=${encodeURIComponent(token)}`}`,
    token,
    generatedToken,
    liveStats: () => handler.liveStats(),
    close: async () => {
      handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
