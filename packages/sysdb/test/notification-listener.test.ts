// The LISTEN connection: fan-out to subscribers, and a "reconnected" signal after it is killed.
import postgres from "#postgres";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openSystemDatabase, type SystemDatabase } from "../src/index.js";

const db = useTestDatabase();
let sysdb: SystemDatabase;
let admin: postgres.Sql;

beforeAll(async () => {
  sysdb = openSystemDatabase({ url: db.url, applicationName: "listener-test" });
  admin = postgres(db.url, { max: 1 });
});
afterAll(async () => {
  await sysdb.close();
  await admin.end();
});

test("delivers notifications to every subscriber of a channel", async () => {
  const a: string[] = [];
  const b: string[] = [];
  sysdb.listener.subscribe("chan_one", (p) => a.push(p));
  sysdb.listener.subscribe("chan_one", (p) => b.push(p));
  await sysdb.listener.start();
  await admin`select pg_notify('chan_one', 'hello')`;
  await expect.poll(() => [a, b]).toEqual([["hello"], ["hello"]]);
  // A channel subscribed after start is LISTENed too.
  const c: string[] = [];
  sysdb.listener.subscribe("chan two", (p) => c.push(p));
  await expect
    .poll(async () => {
      await admin`select pg_notify('chan two', 'late')`;
      return c.length > 0;
    })
    .toBe(true);
});

test("after its connection is killed it re-LISTENs, signals reconnected, and delivers again", async () => {
  const got: string[] = [];
  let reconnects = 0;
  sysdb.listener.subscribe("chan_three", (p) => got.push(p));
  sysdb.listener.onReconnect(() => reconnects++);
  await sysdb.listener.start();
  const killed = await admin`
    select pg_terminate_backend(pid) as ok from pg_stat_activity
    where application_name = 'listener-test-listen' and datname = current_database()`;
  expect(killed).toEqual([{ ok: true }]); // premise: the listener's session was really terminated
  await expect.poll(() => reconnects, { timeout: 10_000 }).toBe(1);
  await admin`select pg_notify('chan_three', 'after')`;
  await expect.poll(() => got).toEqual(["after"]);
});
