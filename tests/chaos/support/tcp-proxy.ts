// A TCP proxy between chaos workers and Postgres that can cut, stall, slow or refuse their
// connections, and drop the reply to a committed statement (toxiproxy is not packaged here).
import { connect, createServer, type Server, type Socket } from "node:net";
import { PgWireSniffer } from "./pg-wire-sniffer.js";

type Direction = "c2s" | "s2c";

/** One client connection and its upstream twin. */
class Pair {
  server: Socket | undefined;
  /** Bytes held back while the proxy is blackholed, in arrival order. */
  held: Array<[Direction, Buffer]> = [];
  /** Per direction, chunks waiting for their delay to pass (kept in order). */
  readonly delayed: Record<Direction, Array<{ due: number; chunk: Buffer }>> = { c2s: [], s2c: [] };
  readonly timers: Record<Direction, NodeJS.Timeout | undefined> = { c2s: undefined, s2c: undefined };
  readonly sniffer: PgWireSniffer;

  constructor(
    readonly client: Socket,
    matches: (text: string) => boolean,
  ) {
    this.sniffer = new PgWireSniffer(matches);
  }

  destroy(reset: boolean): void {
    for (const d of ["c2s", "s2c"] as const) clearTimeout(this.timers[d]);
    for (const socket of [this.client, this.server]) {
      if (socket === undefined || socket.destroyed) continue;
      if (reset) socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}

export interface TcpProxyStats {
  accepted: number;
  resets: number;
  droppedReplies: number;
  /** When a connection closed while postgres.js's type fetch was outstanding (see PgWireSniffer). */
  closedDuringTypeFetch: number[];
}

export class TcpProxy {
  readonly stats: TcpProxyStats = { accepted: 0, resets: 0, droppedReplies: 0, closedDuringTypeFetch: [] };
  readonly #targetPort: number;
  readonly #pairs = new Set<Pair>();
  #port = 0;
  #server: Server | undefined;
  #blackholed = false;
  #delayMs = 0;
  #dropPatterns: Array<{ text: string; left: number; onlyWithRows: boolean }> = [];

  private constructor(targetPort: number) {
    this.#targetPort = targetPort;
  }

  /** Listens on 127.0.0.1 (`port` 0: any free port) and forwards to 127.0.0.1:`targetPort`. */
  static async start(targetPort: number, port = 0): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    proxy.#port = await proxy.#listen(port);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** Open client connections. */
  get connectionCount(): number {
    return this.#pairs.size;
  }

  /** Local ports of the upstream sockets: `client_port` of these sessions in pg_stat_activity. */
  upstreamPorts(): Set<number> {
    const ports = new Set<number>();
    for (const pair of this.#pairs) if (pair.server?.localPort !== undefined) ports.add(pair.server.localPort);
    return ports;
  }

  /** Cuts every connection with a TCP reset on both sides (clients see ECONNRESET). */
  resetAll(): number {
    const n = this.#pairs.size;
    for (const pair of [...this.#pairs]) this.#drop(pair, true);
    this.stats.resets += n;
    return n;
  }

  /** Stops forwarding bytes (a partition): sockets stay open, replies never come, until heal(). */
  blackhole(): void {
    this.#blackholed = true;
    for (const pair of this.#pairs) {
      pair.client.pause();
      pair.server?.pause();
    }
  }

  /** Ends a blackhole: forwards what was held (the partition healed), or resets every connection. */
  heal(how: "resume" | "reset" = "resume"): void {
    this.#blackholed = false;
    if (how === "reset") {
      this.resetAll();
      return;
    }
    for (const pair of this.#pairs) {
      if (pair.server === undefined) this.#connectUpstream(pair);
      const held = pair.held;
      pair.held = [];
      for (const [direction, chunk] of held) this.#forward(pair, direction, chunk);
      pair.client.resume();
      pair.server!.resume();
    }
  }

  /** Delays every chunk by `ms` (0: no delay), keeping order. */
  setDelay(ms: number): void {
    this.#delayMs = ms;
  }

  /** Stops accepting connections (new ones get ECONNREFUSED); open ones carry on. */
  refuseNew(): void {
    this.#server?.close();
    this.#server = undefined;
  }

  /** Accepts connections again after refuseNew(). */
  async acceptNew(): Promise<void> {
    if (this.#server === undefined) await this.#listen(this.#port);
  }

  /**
   * Drops the server's reply to the next `count` executions of a statement whose text contains
   * `text`, after it committed, and resets that connection: the client cannot tell whether it ran.
   * With `onlyWithRows`, executions that returned no row are let through.
   */
  dropReplyTo(text: string, options: { count?: number; onlyWithRows?: boolean } = {}): void {
    const pattern = { text, left: options.count ?? 1, onlyWithRows: options.onlyWithRows ?? false };
    this.#dropPatterns = [...this.#dropPatterns.filter((p) => p.left > 0), pattern];
  }

  /** Forgets every armed dropReplyTo. */
  disarmDrops(): void {
    this.#dropPatterns = [];
  }

  async close(): Promise<void> {
    this.refuseNew();
    for (const pair of [...this.#pairs]) this.#drop(pair, false);
  }

  #listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((client) => this.#accept(client));
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        this.#server = server;
        resolve((server.address() as { port: number }).port);
      });
    });
  }

  #accept(client: Socket): void {
    this.stats.accepted++;
    client.setNoDelay(true);
    const pair = new Pair(client, (text) => this.#dropPatterns.some((p) => p.left > 0 && text.includes(p.text)));
    this.#pairs.add(pair);
    client.on("error", () => undefined);
    client.on("close", () => this.#drop(pair, false));
    client.on("data", (chunk) => {
      // What the client sent counts at once; what the server sent, once the client has it.
      pair.sniffer.clientData(chunk);
      this.#forward(pair, "c2s", chunk);
    });
    if (this.#blackholed)
      client.pause(); // connect upstream at heal, like a SYN that finally gets through
    else this.#connectUpstream(pair);
  }

  #connectUpstream(pair: Pair): void {
    const server = connect(this.#targetPort, "127.0.0.1");
    pair.server = server;
    server.setNoDelay(true);
    server.on("error", () => undefined);
    server.on("close", () => this.#drop(pair, false));
    server.on("data", (chunk) => this.#forward(pair, "s2c", chunk));
  }

  #forward(pair: Pair, direction: Direction, chunk: Buffer): void {
    if (this.#blackholed) {
      pair.held.push([direction, chunk]);
      (direction === "c2s" ? pair.client : pair.server)?.pause();
      return;
    }
    if (this.#delayMs <= 0 && pair.delayed[direction].length === 0) {
      this.#deliver(pair, direction, chunk);
      return;
    }
    pair.delayed[direction].push({ due: Date.now() + this.#delayMs, chunk });
    this.#schedule(pair, direction);
  }

  #schedule(pair: Pair, direction: Direction): void {
    if (pair.timers[direction] !== undefined) return;
    const next = pair.delayed[direction][0];
    if (next === undefined) return;
    pair.timers[direction] = setTimeout(
      () => {
        pair.timers[direction] = undefined;
        const queue = pair.delayed[direction];
        while (queue.length > 0 && queue[0]!.due <= Date.now()) this.#deliver(pair, direction, queue.shift()!.chunk);
        this.#schedule(pair, direction);
      },
      Math.max(0, next.due - Date.now()),
    );
  }

  // No backpressure: Postgres traffic of a test is small enough to buffer in memory.
  #deliver(pair: Pair, direction: Direction, chunk: Buffer): void {
    if (direction === "s2c") {
      // Sniffed as the client receives it (after any delay), so the sniffer's view is the client's.
      const typeFetchPending = pair.sniffer.typeFetchPending;
      const rows = pair.sniffer.serverData(chunk);
      const pattern =
        rows === undefined ? undefined : this.#dropPatterns.find((p) => p.left > 0 && (rows > 0 || !p.onlyWithRows));
      if (pattern !== undefined) {
        pattern.left--;
        this.stats.droppedReplies++;
        // The client never gets these bytes: if they ended the type fetch, it is still pending for it.
        if (typeFetchPending && !pair.sniffer.typeFetchPending) this.stats.closedDuringTypeFetch.push(Date.now());
        this.#drop(pair, true);
        return;
      }
    }
    const target = direction === "c2s" ? pair.server : pair.client;
    if (target !== undefined && !target.destroyed) target.write(chunk);
  }

  #drop(pair: Pair, reset: boolean): void {
    if (!this.#pairs.delete(pair)) return;
    if (pair.sniffer.typeFetchPending) this.stats.closedDuringTypeFetch.push(Date.now());
    pair.destroy(reset);
  }
}
