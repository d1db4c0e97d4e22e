import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, test } from "vitest";
import { isTestDatabaseError, provisionTestServer } from "../src/index.js";
import { dockerEngineAnswers } from "../src/docker-engine-answers.js";

const noDocker = { DOCKER_HOST: "unix:///nonexistent/docker.sock", DURABLY_TEST_LOCAL_URL: "off" };
const roots: string[] = [];

afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

async function listen(
  onConnection: (socket: import("node:net").Socket) => void,
): Promise<{ server: Server; host: string }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { server, host: `tcp://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` };
}

describe("provisionTestServer", () => {
  test("uses DURABLY_TEST_DATABASE_URL, pointed at the postgres database", async () => {
    const server = await provisionTestServer({
      env: { DURABLY_TEST_DATABASE_URL: "postgres://u:p@db.example:6543/app?sslmode=disable" },
    });
    expect(server).toMatchObject({
      kind: "env",
      source: "DURABLY_TEST_DATABASE_URL",
      url: "postgres://u:p@db.example:6543/postgres?sslmode=disable",
    });
    await server.stop();
  });

  test("rejects a DURABLY_TEST_DATABASE_URL that is not a URL, saying how to provide one", async () => {
    const failed = provisionTestServer({ env: { DURABLY_TEST_DATABASE_URL: "not a url" } });
    await expect(failed).rejects.toSatisfy(
      (err) =>
        isTestDatabaseError(err) &&
        err.code === "NO_SERVER" &&
        err.message.includes("DURABLY_TEST_DATABASE_URL=postgres://"),
    );
  });

  test("without the variable or Docker, uses a local server that answers as a superuser", async () => {
    const local = process.env.DURABLY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const server = await provisionTestServer({ env: { ...noDocker, DURABLY_TEST_LOCAL_URL: local } });
    expect(server.kind).toBe("local");
    expect(server.source).toBe("the machine's server (DURABLY_TEST_LOCAL_URL)");
    const sql = postgres(server.url, { max: 1 });
    expect(await sql`select current_database() as db`).toEqual([{ db: "postgres" }]);
    await sql.end();
    await server.stop();
  });

  test("without the variable, Docker or a local server, starts an embedded server and stops it", async () => {
    const root = await mkdtemp(join(tmpdir(), "durably-provision-test-"));
    await chmod(root, 0o755);
    roots.push(root);
    const server = await provisionTestServer({ env: noDocker, dataDir: join(root, "pg") });
    expect(server.kind).toBe("embedded");
    expect(server.source).toBe(`embedded Postgres in ${join(root, "pg")}`);
    const sql = postgres(server.url, { max: 1 });
    expect(await sql`select current_database() as db, current_setting('fsync') as fsync`).toEqual([
      { db: "postgres", fsync: "off" },
    ]);
    await sql.end();
    await server.stop();
  });
});

describe("dockerEngineAnswers", () => {
  test("is false at once when nothing listens", async () => {
    const began = Date.now();
    expect(await dockerEngineAnswers(noDocker)).toBe(false);
    expect(Date.now() - began).toBeLessThan(500);
  });

  test("is true when the engine answers its ping", async () => {
    const { server, host } = await listen((socket) => socket.end("HTTP/1.0 200 OK\r\n\r\nOK"));
    try {
      expect(await dockerEngineAnswers({ DOCKER_HOST: host })).toBe(true);
    } finally {
      server.close();
    }
  });

  test("is false within its timeout when the socket accepts but never answers", async () => {
    const sockets: import("node:net").Socket[] = [];
    const { server, host } = await listen((socket) => sockets.push(socket));
    try {
      const began = Date.now();
      expect(await dockerEngineAnswers({ DOCKER_HOST: host }, 300)).toBe(false);
      expect(Date.now() - began).toBeLessThan(1_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
