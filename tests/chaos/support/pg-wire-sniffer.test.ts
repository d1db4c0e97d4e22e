// The sniffer's reading of the wire, on hand-made messages: which reply ends a matched
// statement's batch, and when postgres.js's type fetch is outstanding.
import { describe, expect, it } from "vitest";
import { PgWireSniffer } from "./pg-wire-sniffer.js";

const message = (type: string, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};
const cstr = (...parts: string[]) => Buffer.concat(parts.map((p) => Buffer.from(`${p}\0`)));
const startup = () => {
  const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), cstr("user", "postgres", ""), Buffer.from([0])]);
  const head = Buffer.alloc(4);
  head.writeInt32BE(body.length + 4);
  return Buffer.concat([head, body]);
};
const parse = (name: string, text: string) => message("P", Buffer.concat([cstr(name, text), Buffer.from([0, 0])]));
const bind = (name: string) => message("B", Buffer.concat([cstr("", name), Buffer.from([0, 0, 0, 0, 0, 0])]));
const sync = () => message("S", Buffer.alloc(0));
const ready = () => message("Z", Buffer.from("I"));
const row = () => message("D", Buffer.from([0, 0]));

describe("PgWireSniffer", () => {
  it("finds the reply that ends a matched statement's batch, also when it is executed again by name", () => {
    const sniffer = new PgWireSniffer((text) => text.includes("insert into t"));
    sniffer.clientData(startup());
    expect(sniffer.serverData(ready())).toBeUndefined();
    sniffer.clientData(Buffer.concat([parse("s1", "select 1"), bind("s1"), sync()]));
    expect(sniffer.serverData(ready())).toBeUndefined();
    sniffer.clientData(Buffer.concat([parse("s2", "insert into t values ($1)"), bind("s2"), sync()]));
    expect(sniffer.serverData(Buffer.concat([row(), ready()]))).toBe(1);
    sniffer.clientData(Buffer.concat([bind("s2"), sync()]));
    const reply = Buffer.concat([ready()]);
    expect(sniffer.serverData(reply.subarray(0, 3))).toBeUndefined(); // split across chunks
    expect(sniffer.serverData(reply.subarray(3))).toBe(0);
  });

  it("counts the type fetch as outstanding from the startup's end until its own reply", () => {
    const sniffer = new PgWireSniffer(() => false);
    sniffer.clientData(startup());
    expect(sniffer.typeFetchPending).toBe(false);
    sniffer.serverData(ready());
    expect(sniffer.typeFetchPending).toBe(true); // queued by postgres.js, not sent yet
    sniffer.clientData(Buffer.concat([parse("t", "select b.oid, b.typarray from pg_type"), bind("t"), sync()]));
    expect(sniffer.typeFetchPending).toBe(true);
    sniffer.serverData(ready());
    expect(sniffer.typeFetchPending).toBe(false);
  });

  it("knows a client that sends another statement first does no type fetch", () => {
    const sniffer = new PgWireSniffer(() => false);
    sniffer.clientData(startup());
    sniffer.serverData(ready());
    sniffer.clientData(Buffer.concat([parse("", "select 1"), bind(""), sync()]));
    expect(sniffer.typeFetchPending).toBe(false);
  });
});
