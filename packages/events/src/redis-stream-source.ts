// The Redis Streams adapter (ioredis): a consumer group, XAUTOCLAIM for a dead consumer's pending
// entries, and a dead-letter stream that gets a poison entry and its ack in one MULTI.
import { hostname } from "node:os";
import { checkOptions, DurablyError } from "@durably/sysdb";
import type { Redis } from "ioredis";
import type { Delivery, EventSource, ReceivedMessage } from "./event-source.js";

export interface RedisStreamSourceOptions {
  /** An ioredis client; it stays open after the source closes (XREADGROUP blocks it, so give it its own). Required. */
  readonly client: Redis;
  /** The stream's key. Required. */
  readonly stream: string;
  /** The consumer group; created at the stream's start (and the stream with it) if missing. Required. */
  readonly group: string;
  /** This consumer's name in the group; keep it across restarts to resume its own pending entries. Default: host:pid. */
  readonly consumer?: string;
  /** The stream a poison entry is added to, with fields reason, stream, id. Default: `<stream>:dead-letter`. */
  readonly deadLetterStream?: string;
  /** The entry field holding the body. Default `data`. */
  readonly dataField?: string;
  /** The entry field holding the order key. Default `key`. */
  readonly keyField?: string;
  /** An entry pending this long on any consumer is claimed by this one (XAUTOCLAIM). Default 30,000 ms. */
  readonly claimIdleMs?: number;
  /** How long one XREADGROUP waits for new entries. Default 1,000 ms. */
  readonly blockMs?: number;
}

const rules = {
  client: { type: "any", required: true },
  stream: { type: "string", required: true, nonEmpty: true },
  group: { type: "string", required: true, nonEmpty: true },
  consumer: { type: "string", nonEmpty: true },
  deadLetterStream: { type: "string", nonEmpty: true },
  dataField: { type: "string", nonEmpty: true },
  keyField: { type: "string", nonEmpty: true },
  claimIdleMs: { type: "number", integer: true, min: 1 },
  blockMs: { type: "number", integer: true, min: 1, max: 60_000 },
} as const;

type Entry = [id: string, fields: string[] | null];

/**
 * A Redis Streams consumer-group source for receiveEvents. Each entry's identity is
 * `redis:<stream>:<entry ID>`.
 *
 * @example
 * const source = redisStreamSource({ client: new Redis("redis://127.0.0.1:6379"), stream: "orders", group: "workers" });
 * await receiveEvents(dbos, source, { workflow: processOrder });
 */
export function redisStreamSource(options: RedisStreamSourceOptions): EventSource {
  checkOptions("redisStreamSource", options, rules);
  if (typeof options.client?.xreadgroup !== "function")
    throw new DurablyError("INVALID_ARGUMENT", "redisStreamSource: client must be an ioredis client (new Redis(url)).");
  return new RedisStreamSource(options);
}

class RedisStreamSource implements EventSource {
  readonly name: string;
  readonly #client: Redis;
  readonly #stream: string;
  readonly #group: string;
  readonly #consumer: string;
  readonly #deadLetter: string;
  readonly #dataField: string;
  readonly #keyField: string;
  readonly #claimIdleMs: number;
  readonly #blockMs: number;
  #groupReady = false;
  /** Reading this consumer's own pending entries first ("0"), then new ones (">"). */
  #readingOwn = true;
  #nextClaimAt = 0;
  #claimCursor = "0-0";

  constructor(o: RedisStreamSourceOptions) {
    this.#client = o.client;
    this.#stream = o.stream;
    this.#group = o.group;
    this.#consumer = o.consumer ?? `${hostname()}:${process.pid}`;
    this.#deadLetter = o.deadLetterStream ?? `${o.stream}:dead-letter`;
    this.#dataField = o.dataField ?? "data";
    this.#keyField = o.keyField ?? "key";
    this.#claimIdleMs = o.claimIdleMs ?? 30_000;
    this.#blockMs = o.blockMs ?? 1_000;
    this.name = `redis:${o.stream}/${o.group}`;
  }

  async fetch(max: number): Promise<Delivery[]> {
    if (!this.#groupReady) {
      try {
        await this.#client.xgroup("CREATE", this.#stream, this.#group, "0", "MKSTREAM");
      } catch (error) {
        if (!String((error as Error)?.message).includes("BUSYGROUP")) throw error;
      }
      this.#groupReady = true;
    }
    const claimed = await this.#claim(max);
    if (claimed.length > 0) return claimed;
    if (this.#readingOwn) {
      const own = await this.#read("0", max, false);
      if (own.length > 0) return own;
      this.#readingOwn = false;
    }
    return this.#read(">", max, true);
  }

  /** Entries idle past claimIdleMs on any consumer (one that died, or this one's given-back entries). */
  async #claim(max: number): Promise<Delivery[]> {
    const now = Date.now();
    if (now < this.#nextClaimAt) return [];
    const reply = (await this.#client.xautoclaim(
      this.#stream,
      this.#group,
      this.#consumer,
      this.#claimIdleMs,
      this.#claimCursor,
      "COUNT",
      max,
    )) as [string, Entry[], string[]?];
    this.#claimCursor = reply[0];
    // A full pass over the pending list waits for the next period; a partial one goes on at once.
    if (reply[0] === "0-0") this.#nextClaimAt = now + Math.min(this.#claimIdleMs, 5_000);
    const entries = reply[1].filter((e) => e[1] !== null);
    if (entries.length === 0) return [];
    const counts = await this.#deliveryCounts(entries.map((e) => e[0]));
    return entries.map((e) => this.#delivery(e, counts.get(e[0]) ?? 2));
  }

  async #deliveryCounts(ids: string[]): Promise<Map<string, number>> {
    const first = ids.reduce((a, b) => (compareIds(a, b) <= 0 ? a : b));
    const last = ids.reduce((a, b) => (compareIds(a, b) >= 0 ? a : b));
    const rows = (await this.#client.xpending(
      this.#stream,
      this.#group,
      first,
      last,
      ids.length * 4,
      this.#consumer,
    )) as Array<[string, string, number, number]>;
    return new Map(rows.map((r) => [r[0], Number(r[3])]));
  }

  async #read(from: "0" | ">", max: number, block: boolean): Promise<Delivery[]> {
    const group = ["GROUP", this.#group, this.#consumer, "COUNT", max] as const;
    const reply = (
      block
        ? await this.#client.xreadgroup(...group, "BLOCK", this.#blockMs, "STREAMS", this.#stream, from)
        : await this.#client.xreadgroup(...group, "STREAMS", this.#stream, from)
    ) as Array<[string, Entry[]]> | null;
    const entries = reply?.[0]?.[1] ?? [];
    const deliveries: Delivery[] = [];
    for (const entry of entries) {
      // An entry deleted while pending: nothing to start, so it is only acked.
      if (entry[1] === null) await this.#client.xack(this.#stream, this.#group, entry[0]);
      else deliveries.push(this.#delivery(entry, from === "0" ? 2 : 1));
    }
    return deliveries;
  }

  #delivery([id, flat]: Entry, deliveryCount: number): Delivery {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < (flat ?? []).length; i += 2) fields[flat![i]!] = flat![i + 1]!;
    const message: ReceivedMessage = {
      id: `redis:${this.#stream}:${id}`,
      key: fields[this.#keyField],
      body: Buffer.from(fields[this.#dataField] ?? "", "utf8"),
      headers: fields,
      deliveryCount,
    };
    const client = this.#client;
    return {
      message,
      ack: async () => {
        await client.xack(this.#stream, this.#group, id);
      },
      // Left pending: XAUTOCLAIM hands it out again once idle for claimIdleMs.
      release: async () => undefined,
      deadLetter: async (reason) => {
        const copy = [...Object.entries(fields).flat(), "reason", reason, "stream", this.#stream, "id", id];
        const result = await client
          .multi()
          .xadd(this.#deadLetter, "*", ...(copy as [string, string]))
          .xack(this.#stream, this.#group, id)
          .exec();
        const failed = result?.find(([error]) => error !== null)?.[0];
        if (result === null || failed) throw failed ?? new Error("the MULTI was discarded");
      },
      inProgress: async () => {
        // Claiming it again for this consumer resets its idle time.
        await client.xclaim(this.#stream, this.#group, this.#consumer, 0, id, "JUSTID");
      },
    };
  }

  async close(): Promise<void> {}
}

function compareIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split("-").map(BigInt) as [bigint, bigint];
  return am === bm ? Number(as - bs) : am < bm ? -1 : 1;
}
