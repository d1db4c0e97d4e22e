// Checks a Postgres URL before anything connects: the driver reads `localhost:5432` as the database
// "432" on the local server, and a URL without a database as the user's own database.
import { DurablyError, type DurablyErrorCode } from "./durably-error.js";

const theForm = "A Postgres URL looks like postgres://user:password@host:5432/database.";

/**
 * Returns `url` if it is a usable Postgres URL: scheme postgres:// or postgresql://, a host, a
 * numeric port if any, and a database name. Otherwise throws a {@link DurablyError} (default code
 * INVALID_ARGUMENT) naming `name` (the option or environment variable the URL came from), saying
 * what is wrong and what a correct URL looks like. The password is never shown.
 *
 * @example
 * const appDb = postgres(checkDatabaseUrl(process.env.APP_DATABASE_URL, "APP_DATABASE_URL"));
 */
export function checkDatabaseUrl(url: unknown, name: string, code: DurablyErrorCode = "INVALID_ARGUMENT"): string {
  const problem = urlProblem(url);
  if (problem !== undefined) {
    const shown = typeof url === "string" ? JSON.stringify(redactPassword(url)) : "";
    throw new DurablyError(code, `${name}${shown === "" ? "" : ` ${shown}`} ${problem}. ${theForm}`);
  }
  return url as string;
}

/** `host:port/database` of a URL (`a:5432,b:5432/database` for several hosts), without credentials, for messages. */
export function describeUrl(url: string): string {
  const { host, port, database } = urlParts(url);
  return host.includes(",") ? `${host}/${database}` : `${host}:${port}/${database}`;
}

/** The host, port (default 5432) and database of a checked URL, for messages. */
export function urlParts(url: string): { host: string; port: string; database: string } {
  const { host, port, database } = splitUrl(url);
  let name = database;
  try {
    name = decodeURIComponent(database);
  } catch {
    // Shown as written: checkDatabaseUrl refuses it anyway.
  }
  return { host: host === "" ? "localhost" : host, port: port === "" ? "5432" : port, database: name };
}

/** What is wrong with `url` as a Postgres URL, or undefined when nothing is. */
function urlProblem(url: unknown): string | undefined {
  if (url === undefined) return "is not set";
  if (typeof url !== "string") return `must be a string, got ${typeof url}`;
  if (url.trim() === "") return "is empty";
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1];
  if (scheme === undefined) return "has no scheme: it must start with postgres:// or postgresql://";
  if (!/^postgres(ql)?$/i.test(scheme))
    return `has the scheme ${scheme}://, but durably connects only to postgres:// or postgresql://`;
  const { host, port, database } = splitUrl(url);
  // Several hosts (a primary and its standbys, as libpq spells them: host1:5432,host2:5432) are
  // tried in turn; with target_session_attrs=read-write the one that accepts writes is kept.
  for (const one of host.includes(",") ? host.split(",").map(splitHostPort) : [{ host, port }]) {
    if (one.host === "") return host.includes(",") ? "lists an empty host" : "has no host";
    if (one.port !== "" && !(/^\d{1,5}$/.test(one.port) && Number(one.port) >= 1 && Number(one.port) <= 65535)) {
      // The port's text is not echoed: a misplaced password (an unencoded / in it) can land there.
      return "has a port that is not a number from 1 to 65535";
    }
  }
  const attrs = /[?&]target_session_attrs=([^&#]*)/.exec(url)?.[1];
  if (attrs !== undefined && !["read-write", "read-only", "primary", "standby", "prefer-standby"].includes(attrs)) {
    return "has a target_session_attrs that is not read-write, read-only, primary, standby or prefer-standby";
  }
  if (database === "") return "names no database (nothing after the host's /)";
  try {
    decodeURIComponent(database);
    new URL(firstHostOnly(url));
  } catch {
    return "is not a valid URL (percent-encode special characters in the user, password and database)";
  }
  return undefined;
}

/** The host, port and database text of a `scheme://user:password@host:port/database?query` URL. */
function splitUrl(url: string): { host: string; port: string; database: string } {
  const rest = url.slice(url.indexOf("://") + 3);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const path = authorityEnd === -1 ? "" : rest.slice(authorityEnd);
  const hostAndPort = authority.slice(authority.lastIndexOf("@") + 1);
  const database = path.startsWith("/") ? path.slice(1).split(/[?#]/)[0]! : "";
  // Several hosts stay one list (each with its own port); describeUrl shows it as written.
  if (hostAndPort.includes(",")) return { host: hostAndPort, port: "", database };
  return { ...splitHostPort(hostAndPort), database };
}

/** The host and port text of `host:port`. */
function splitHostPort(hostAndPort: string): { host: string; port: string } {
  // An IPv6 literal keeps its colons inside brackets.
  const portColon = hostAndPort.startsWith("[")
    ? hostAndPort.indexOf(":", hostAndPort.indexOf("]"))
    : hostAndPort.indexOf(":");
  const host = portColon === -1 ? hostAndPort : hostAndPort.slice(0, portColon);
  const port = portColon === -1 ? "" : hostAndPort.slice(portColon + 1);
  return { host, port };
}

/** `url` with the password (between the user's `:` and the last `@`) replaced by `***`. */
export function redactPassword(url: string): string {
  const start = url.includes("://") ? url.indexOf("://") + 3 : 0;
  const at = url.lastIndexOf("@");
  const colon = url.indexOf(":", start);
  if (at < start || colon === -1 || colon > at) return url;
  return `${url.slice(0, colon + 1)}***${url.slice(at)}`;
}

/** `url` with its host list cut to the first host: a form the WHATWG URL parser accepts. */
function firstHostOnly(url: string): string {
  const { host } = splitUrl(url);
  return host.includes(",") ? url.replace(host, host.split(",")[0]!) : url;
}

/**
 * `url` naming the database `database` instead (hosts, credentials and parameters kept).
 *
 * @example
 * withDatabase("postgres://u@a:5432,b:5432/app?target_session_attrs=read-write", "postgres");
 */
export function withDatabase(url: string, database: string): string {
  const rest = url.indexOf("://") + 3;
  const authorityEnd = url.slice(rest).search(/[/?#]/);
  if (authorityEnd === -1) return `${url}/${encodeURIComponent(database)}`;
  const pathStart = rest + authorityEnd;
  const tail = url.slice(pathStart);
  const pathEnd = tail.search(/[?#]/);
  return url.slice(0, pathStart) + `/${encodeURIComponent(database)}` + (pathEnd === -1 ? "" : tail.slice(pathEnd));
}
