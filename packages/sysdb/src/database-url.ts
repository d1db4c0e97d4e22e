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

/** `host:port/database` of a URL, without credentials, for messages. */
export function describeUrl(url: string): string {
  const { host, port, database } = urlParts(url);
  return `${host}:${port}/${database}`;
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
  if (host.includes(",") || port.includes(",")) return "lists several hosts; durably connects to one";
  if (host === "") return "has no host";
  if (port !== "" && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    // The port's text is not echoed: a misplaced password (an unencoded / in it) can land there.
    return "has a port that is not a number from 1 to 65535";
  }
  if (database === "") return "names no database (nothing after the host's /)";
  try {
    decodeURIComponent(database);
    new URL(url);
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
  // An IPv6 literal keeps its colons inside brackets.
  const portColon = hostAndPort.startsWith("[")
    ? hostAndPort.indexOf(":", hostAndPort.indexOf("]"))
    : hostAndPort.indexOf(":");
  const host = portColon === -1 ? hostAndPort : hostAndPort.slice(0, portColon);
  const port = portColon === -1 ? "" : hostAndPort.slice(portColon + 1);
  const database = path.startsWith("/") ? path.slice(1).split(/[?#]/)[0]! : "";
  return { host, port, database };
}

/** `url` with the password (between the user's `:` and the last `@`) replaced by `***`. */
export function redactPassword(url: string): string {
  const start = url.includes("://") ? url.indexOf("://") + 3 : 0;
  const at = url.lastIndexOf("@");
  const colon = url.indexOf(":", start);
  if (at < start || colon === -1 || colon > at) return url;
  return `${url.slice(0, colon + 1)}***${url.slice(at)}`;
}
