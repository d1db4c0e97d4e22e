// createDashboardHandler: the dashboard as one node:http request handler, for `durably dashboard`
// and for mounting in the user's own server (plain node:http, Express, Fastify's raw handler).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { DBOSContext } from "@durably/core";
import { extensionHost } from "@durably/core/extension";
import { isDurablyError } from "@durably/sysdb";
import { handleApi, readBody } from "./dashboard-api.js";
import { resolveDashboardOptions, type DashboardOptions } from "./dashboard-options.js";
import { LiveFeed, type LiveStats } from "./live-feed.js";
import { checkRequest, tokenCookie } from "./request-auth.js";
import { uiAssets } from "./static-assets.js";

export interface DashboardHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Ends the open event streams and stops listening (the client stays open: close it yourself). */
  close(): void;
  /** The live feed's open tabs, the workflows they watch and the queries it ran. */
  liveStats(): LiveStats;
}

const securityHeaders = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const errorStatus: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  WORKFLOW_NOT_FOUND: 404,
  SCHEDULE_NOT_FOUND: 404,
  QUEUE_NOT_FOUND: 404,
  INVALID_CONFIG: 400,
};

/**
 * A request handler serving the dashboard (UI, JSON API under `api/`, live events at `api/live`) for
 * the workflows `client` sees. Set `token` whenever anyone but you can reach it.
 *
 * @example
 * const client = await createClient({ systemDatabaseUrl: process.env.DBOS_SYSTEM_DATABASE_URL });
 * const dashboard = createDashboardHandler(client, { token: process.env.DASHBOARD_TOKEN, readOnly: true });
 * http.createServer(dashboard).listen(4000, "127.0.0.1");
 */
export function createDashboardHandler(client: DBOSContext, options: DashboardOptions = {}): DashboardHandler {
  const resolved = resolveDashboardOptions(options);
  const host = extensionHost(client);
  host.assertRunning("serve a dashboard");
  const feed = new LiveFeed(host.sysdb, resolved.probeIntervalMs, (error) =>
    host.logger.warn("dashboard live feed probe failed", { error }),
  );
  const watch = async (req: IncomingMessage) => {
    const body = await readBody(req);
    return feed.watch(body.tab, body.workflowIDs, body.everything)
      ? { status: 200, body: { watching: true } }
      : { status: 404, body: { error: "No such live tab: its stream closed." } };
  };
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { ...securityHeaders, "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    const auth = checkRequest(req, url, resolved.token);
    if (auth !== "ok") {
      res.writeHead(auth === "unauthorized" ? 401 : 403, { ...securityHeaders, "content-type": "text/plain" });
      res.end(
        auth === "unauthorized"
          ? "401 Unauthorized: this dashboard needs its token; open the URL it printed at start (…/?token=…).\n"
          : "403 Forbidden: actions are JSON POSTs that carry the x-durably-token header.\n",
      );
      return;
    }
    if (!url.pathname.startsWith(resolved.basePath)) {
      if (`${url.pathname}/` === resolved.basePath) {
        res.writeHead(302, { location: `${resolved.basePath}${url.search}` }).end();
      } else res.writeHead(404).end();
      return;
    }
    const path = url.pathname.slice(resolved.basePath.length);
    // Express strips its mount path from req.url: "/admin/durably" then reads as "/", and the page's
    // relative asset URLs would resolve one level up. Send the browser to the slash-ended URL.
    const original = (req as { originalUrl?: unknown }).originalUrl;
    if (path === "" && typeof original === "string" && !new URL(original, url).pathname.endsWith("/")) {
      const mounted = new URL(original, url);
      res.writeHead(302, { location: `${mounted.pathname}/${mounted.search}` }).end();
      return;
    }
    if (path === "api/live") {
      feed.open(res);
      return;
    }
    if (path.startsWith("api/")) {
      try {
        // What a tab shows changes nothing in the database: allowed in read-only mode too.
        const result =
          path === "api/live/watch" && req.method === "POST"
            ? await watch(req)
            : await handleApi(client, resolved, req.method ?? "GET", path.slice(4), url, req);
        send(res, result.status, result.body);
      } catch (error) {
        if (isDurablyError(error))
          send(res, errorStatus[error.code] ?? 409, { error: error.message, code: error.code });
        else if (error instanceof SyntaxError)
          send(res, 400, { error: `The request body is not JSON: ${error.message}` });
        else {
          host.logger.error("dashboard request failed", { path, error });
          send(res, 500, { error: "The dashboard failed to answer; see the server's log." });
        }
      }
      return;
    }
    const assets = await uiAssets();
    const asset = assets.get(path === "" ? "index.html" : path);
    if (asset === undefined || req.method !== "GET") {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found.\n");
      return;
    }
    const headers: Record<string, string> = { ...securityHeaders, "content-type": asset.type };
    headers["cache-control"] = path.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-store";
    const offered = url.searchParams.get("token");
    if (resolved.token !== undefined && offered !== null) {
      // The page's own asset and event-stream requests then carry the token without it in their URLs.
      headers["set-cookie"] = `${tokenCookie}=${encodeURIComponent(offered)}; HttpOnly; SameSite=Strict; Path=/`;
    }
    res.writeHead(200, headers);
    res.end(asset.body);
  };

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    serve(req, res).catch((error: unknown) => {
      host.logger.error("dashboard request failed", { error });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  }) as DashboardHandler;
  handler.close = () => feed.close();
  handler.liveStats = () => feed.stats();
  return handler;
}
