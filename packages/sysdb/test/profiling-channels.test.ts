// The diagnostics channels a profiler reads: each statement's send and reply times, each
// notification's arrival; nothing is published to a channel nobody subscribes to.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { useTestDatabase } from "@durably/testing/vitest";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openSystemDatabase, type SystemDatabase } from "../src/index.js";
import {
  notificationTimingChannel,
  statementTimingChannel,
  type NotificationTiming,
  type StatementTiming,
} from "../src/profiling-channels.js";

const db = useTestDatabase();
let sysdb: SystemDatabase;

beforeAll(() => {
  sysdb = openSystemDatabase({ url: db.url, poolSize: 1 });
});
afterAll(() => sysdb.close());

test("each statement is published with its send and reply times and whether it succeeded", async () => {
  const seen: StatementTiming[] = [];
  const onStatement = (message: unknown) => void seen.push(message as StatementTiming);
  subscribe(statementTimingChannel.name, onStatement);
  try {
    const before = performance.now();
    await sql`select pg_sleep(0.05)`.execute(sysdb.db);
    await expect(sql`select 1/0`.execute(sysdb.db)).rejects.toThrow(/division by zero/);
    const after = performance.now();
    expect(seen.map((s) => [s.sql, s.ok])).toEqual([
      ["select pg_sleep(0.05)", true],
      ["select 1/0", false],
    ]);
    const [sleep] = seen;
    expect(sleep!.sentAt).toBeGreaterThanOrEqual(before);
    expect(sleep!.repliedAt - sleep!.sentAt).toBeGreaterThanOrEqual(45);
    expect(seen[1]!.repliedAt).toBeLessThanOrEqual(after);
  } finally {
    unsubscribe(statementTimingChannel.name, onStatement);
  }
  // Unsubscribed: the next statement is not timed.
  await sql`select 2`.execute(sysdb.db);
  expect(seen).toHaveLength(2);
});

test("each notification's arrival is published with its channel", async () => {
  const seen: NotificationTiming[] = [];
  const onNotification = (message: unknown) => void seen.push(message as NotificationTiming);
  subscribe(notificationTimingChannel.name, onNotification);
  try {
    const received: string[] = [];
    sysdb.listener.subscribe("profiled", (payload) => received.push(payload));
    await sysdb.listener.start();
    const before = performance.now();
    await sql`select pg_notify('profiled', 'x')`.execute(sysdb.db);
    await expect.poll(() => received).toEqual(["x"]);
    expect(seen.filter((n) => n.channel === "profiled")).toHaveLength(1);
    expect(seen.find((n) => n.channel === "profiled")!.receivedAt).toBeGreaterThanOrEqual(before);
  } finally {
    unsubscribe(notificationTimingChannel.name, onNotification);
  }
});
