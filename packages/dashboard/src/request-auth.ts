// Who may use the dashboard: the token on every request when one is set, and state changes only
// as POSTs that carry a header a cross-site form cannot send.
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The header a script sends the token in; the UI sends it on every request. */
export const tokenHeader = "x-durably-token";
/** The cookie a page load with `?token=` sets, so the browser's asset and event-stream requests carry it. */
export const tokenCookie = "durably_dashboard_token";

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

export type AuthResult = "ok" | "unauthorized" | "forbidden";

/**
 * Checks one request. A POST must carry the `x-durably-token` header (any value when no token is
 * set), which a cross-site form cannot add, and must send JSON; with a token set it must match.
 * Other requests may show the token as the header, the `token` query parameter or the cookie.
 */
export function checkRequest(req: IncomingMessage, url: URL, token: string | undefined): AuthResult {
  const header = req.headers[tokenHeader];
  const fromHeader = typeof header === "string" ? header : undefined;
  if (req.method === "POST") {
    if (fromHeader === undefined) return token === undefined ? "forbidden" : "unauthorized";
    if (!(req.headers["content-type"] ?? "").startsWith("application/json")) return "forbidden";
    if (token !== undefined && !same(fromHeader, token)) return "unauthorized";
    return "ok";
  }
  if (token === undefined) return "ok";
  const offered = fromHeader ?? url.searchParams.get("token") ?? cookie(req, tokenCookie);
  return offered !== undefined && same(offered, token) ? "ok" : "unauthorized";
}
