// The chaos proxy's modes, against a real server: each fault must look to postgres.js like the real thing.
import { useTestDatabase } from "@durably/testing/vitest";
import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import { TcpProxy } from "./tcp-proxy.js";

const database = useTestDatabase();
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function viaProxy(): Promise<{ proxy: TcpProxy; sql: postgres.Sql }> {
  const url = new URL(database.url);
  const proxy = await TcpProxy.start(Number(url.port || 5432));
  url.hostname = "127.0.0.1";
  url.port = String(proxy.port);
  const sql = postgres(url.toString(), { max: 1, onnotice: () => undefined, connect_timeout: 2 });
  cleanups.push(async () => {
    await proxy.close();
    await sql.end({ timeout: 1 });
  });
  return { proxy, sql };
}

// postgres.js 3.4.7 hangs forever a query sent to a pool in the same tick as a reset connection
// rejected its last one (before the socket's 'close'); wait a moment as durably's retries do.
const moment = () => new Promise((r) => setTimeout(r, 20));

const settles = async (promise: Promise<unknown>, ms: number) =>
  Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise((r) => setTimeout(() => r(false), ms)),
  ]);

describe("TcpProxy", () => {
  it("passes traffic and maps its upstream ports to pg_stat_activity", async () => {
    const { proxy, sql } = await viaProxy();
    const [row] = await sql`select inet_client_port() as port`;
    expect(proxy.upstreamPorts()).toEqual(new Set([row!.port]));
  });

  it("reset-all makes the running query fail with ECONNRESET; the next one reconnects", async () => {
    const { proxy, sql } = await viaProxy();
    await sql`select 1`;
    const slow = sql`select pg_sleep(2)`;
    await new Promise((r) => setTimeout(r, 100));
    proxy.resetAll();
    await expect(slow).rejects.toMatchObject({ code: "ECONNRESET" });
    await moment();
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
  });

  it("blackhole stalls a query until heal, which delivers it", async () => {
    const { proxy, sql } = await viaProxy();
    await sql`select 1`;
    proxy.blackhole();
    const stalled = sql`select 2 as two`;
    expect(await settles(stalled, 500)).toBe(false);
    proxy.heal();
    expect(await stalled).toEqual([{ two: 2 }]);
  });

  it("blackhole healed by a reset fails the stalled query", async () => {
    const { proxy, sql } = await viaProxy();
    await sql`select 1`;
    proxy.blackhole();
    const stalled = sql`select 2`;
    expect(await settles(stalled, 300)).toBe(false);
    proxy.heal("reset");
    await expect(stalled).rejects.toMatchObject({ code: "ECONNRESET" });
  });

  it("delay slows each round trip", async () => {
    const { proxy, sql } = await viaProxy();
    await sql`select 1`;
    proxy.setDelay(150);
    const started = Date.now();
    await sql`select 1`;
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it("refuse-new refuses connections until acceptNew", async () => {
    const { proxy, sql } = await viaProxy();
    proxy.refuseNew();
    await expect(sql`select 1`).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await proxy.acceptNew();
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
  });

  it("drops the reply to a committed statement, later executions of a prepared one included", async () => {
    const { proxy, sql } = await viaProxy();
    await sql`create table if not exists chaos_probe (id int primary key)`;
    const insert = (id: number) => sql`insert into chaos_probe (id) values (${id}) returning id`;
    await insert(1); // prepared now: the next execution sends only Bind, not the text
    proxy.dropReplyTo("insert into chaos_probe");
    await expect(insert(2)).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(proxy.stats.droppedReplies).toBe(1);
    await moment();
    expect(await insert(3)).toEqual([{ id: 3 }]);
    const rows = await sql`select id from chaos_probe order by id`;
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]); // 2 committed although its client saw an error
  });
});
