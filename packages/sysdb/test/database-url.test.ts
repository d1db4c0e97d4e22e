// checkDatabaseUrl: the URL forms durably accepts, and a message for each one it refuses that names
// where the URL came from, says what is wrong and never shows the password.
import { describe, expect, test } from "vitest";
import { checkDatabaseUrl, describeUrl, isDurablyError, withDatabase } from "../src/index.js";

function refusal(url: unknown, name = "DBOS_SYSTEM_DATABASE_URL"): string {
  try {
    checkDatabaseUrl(url, name);
  } catch (error) {
    return isDurablyError(error) ? `${error.code}: ${error.message}` : `not a DurablyError: ${String(error)}`;
  }
  return "accepted";
}

describe("accepted", () => {
  test.each([
    "postgres://postgres@127.0.0.1:5432/app_sys",
    "postgresql://user:p%40ss@db.internal/app",
    "postgres://db.internal/app?sslmode=require",
    "POSTGRES://h/app",
    "postgres://u@[::1]:6543/app",
    "postgres://u@h:5432/my%20db",
  ])("%s", (url) => {
    expect(refusal(url)).toBe("accepted");
    expect(checkDatabaseUrl(url, "x")).toBe(url);
  });
});

describe("refused, naming the source and the correct form", () => {
  test.each([
    ["localhost:5432", "has no scheme"],
    ["user:pw@localhost:5432/app", "has no scheme"],
    ["http://127.0.0.1:5432/app", "has the scheme http://, but durably connects only to postgres:// or postgresql://"],
    ["mysql://u@h/app", "has the scheme mysql://"],
    ["postgres:///app", "has no host"],
    ["postgres://u:pw@/app", "has no host"],
    ["postgres://u:secret@127.0.0.1:abc/app", "has a port that is not a number from 1 to 65535"],
    ["postgres://h:0/app", "has a port that is not a number"],
    ["postgres://h:65536/app", "has a port that is not a number"],
    ["postgres://postgres@127.0.0.1:5432", "names no database"],
    ["postgres://postgres@127.0.0.1:5432/", "names no database"],
    ["postgres://postgres@127.0.0.1:5432/?sslmode=require", "names no database"],
    ["postgres://a:5432,,b:5432/app", "lists an empty host"],
    ["postgres://a:5432,b:99999/app", "has a port that is not a number"],
    ["postgres://a,b/app?target_session_attrs=any-host", "has a target_session_attrs that is not read-write"],
    ["postgres://h/%zz", "is not a valid URL"],
    ["", "is empty"],
    ["   ", "is empty"],
  ])("%j: %s", (url, problem) => {
    const message = refusal(url);
    expect(message).toContain(
      `INVALID_ARGUMENT: DBOS_SYSTEM_DATABASE_URL ${JSON.stringify(url.replace(/:(pw|secret)@/, ":***@"))} ${problem}`,
    );
    expect(message).toContain("A Postgres URL looks like postgres://user:password@host:5432/database.");
  });

  test("a missing or non-string URL, and the error code a config asks for", () => {
    expect(refusal(undefined, "--db")).toBe(
      "INVALID_ARGUMENT: --db is not set. A Postgres URL looks like postgres://user:password@host:5432/database.",
    );
    expect(refusal(5432)).toContain("DBOS_SYSTEM_DATABASE_URL must be a string, got number");
    expect(() => checkDatabaseUrl("localhost", "systemDatabaseUrl", "INVALID_CONFIG")).toThrow(
      expect.objectContaining({ code: "INVALID_CONFIG" }),
    );
  });

  test("the password never appears, wherever a malformed URL puts it", () => {
    for (const url of [
      "u:hunter2@localhost:5432",
      "postgres://u:hunter2@h:x/app",
      "postgres://u:hun/ter2@h/app",
      "http://u:hunter2@h/app",
      "postgres://u:hunter2@h:5432",
      "postgres://u:hun@ter2@h:5432",
    ]) {
      const message = refusal(url);
      expect(message).toMatch(/^INVALID_ARGUMENT: /);
      expect(message).not.toContain("hunter2");
      expect(message).not.toContain("hun");
    }
  });
});

test("describeUrl shows host, port (default 5432) and database, no credentials", () => {
  expect(describeUrl("postgres://u:secret@db.internal/app")).toBe("db.internal:5432/app");
  expect(describeUrl("postgres://u@[::1]:6543/my%20db")).toBe("[::1]:6543/my db");
  expect(describeUrl("postgres://u:secret@a:5432,b:5433/app?target_session_attrs=read-write")).toBe(
    "a:5432,b:5433/app",
  );
});

test("several hosts (a primary and its standbys) are accepted, as libpq spells them", () => {
  const url = "postgres://u@a:5432,b/app?target_session_attrs=read-write";
  expect(checkDatabaseUrl(url, "url")).toBe(url);
  expect(withDatabase(url, "postgres")).toBe("postgres://u@a:5432,b/postgres?target_session_attrs=read-write");
  expect(withDatabase("postgres://h/app", "my db")).toBe("postgres://h/my%20db");
});
