// The driver turns Nagle off on its sockets (patches/postgres@3.4.7.patch): Node leaves it on, so a
// small write waits for the previous one's ACK, adding a delayed-ACK stall to pipelined statements.
import net from "node:net";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterEach, expect, test } from "vitest";
import { openSystemDatabase } from "../src/index.js";

const db = useTestDatabase();
const original = net.Socket.prototype.setNoDelay;
afterEach(() => {
  net.Socket.prototype.setNoDelay = original;
});

test("every pool socket to the server is set to TCP_NODELAY before its first statement", async () => {
  // Node has no getsockopt: record each real setNoDelay call and the socket it was made on.
  const calls: { socket: net.Socket; enable: boolean | undefined }[] = [];
  net.Socket.prototype.setNoDelay = function (this: net.Socket, enable?: boolean) {
    calls.push({ socket: this, enable });
    return original.call(this, enable);
  };
  const sysdb = openSystemDatabase({ url: db.url, poolSize: 2 });
  try {
    await Promise.all([sysdb.sql`select pg_sleep(0.05)`, sysdb.sql`select pg_sleep(0.05)`]);
    const port = Number(new URL(db.url).port || 5432);
    const toServer = calls.filter((c) => c.socket.remotePort === port);
    expect(new Set(toServer.map((c) => c.socket)).size).toBe(2);
    expect(toServer.every((c) => c.enable === true)).toBe(true);
  } finally {
    await sysdb.close();
  }
});
