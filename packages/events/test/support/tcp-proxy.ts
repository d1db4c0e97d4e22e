// A TCP relay between the workers and a broker, so a test can cut every broker connection at once
// (both ends see the socket close, as when a network path or the broker drops it).
import { createConnection, createServer, type Server, type Socket } from "node:net";

export class TcpProxy {
  readonly #server: Server;
  readonly #pairs = new Set<[Socket, Socket]>();
  #port = 0;

  constructor(readonly targetPort: number) {
    this.#server = createServer((client) => {
      const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
      const pair: [Socket, Socket] = [client, upstream];
      this.#pairs.add(pair);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.#pairs.delete(pair);
      };
      for (const s of pair) {
        s.on("error", drop);
        s.on("close", drop);
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  get port(): number {
    return this.#port;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.#port = (this.#server.address() as { port: number }).port;
  }

  /** Destroys every relayed connection; returns how many there were (new ones are accepted again). */
  cut(): number {
    const n = this.#pairs.size;
    for (const [a, b] of [...this.#pairs]) {
      a.resetAndDestroy();
      b.destroy();
    }
    this.#pairs.clear();
    return n;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
