// Reads the Postgres wire protocol passing through the chaos proxy, just enough to find the reply
// that follows the commit of a chosen statement: the proxy can then drop it (an ambiguous commit).

const sync = 0x53; // 'S' from the client: ends an extended-protocol batch, answered by one 'Z'
const query = 0x51; // 'Q': a simple query, answered by one 'Z'
const parse = 0x50; // 'P': statement name, then its text
const bind = 0x42; // 'B': portal name, then the statement name
const dataRow = 0x44; // 'D' from the server: one row of a result
const readyForQuery = 0x5a; // 'Z' from the server: the previous batch is over (and committed)
const typeFetchText = "b.oid, b.typarray";

/**
 * Follows one connection. Statements are matched by their text, which postgres.js sends only once
 * per connection (in Parse); later executions name the prepared statement in Bind, so Parse's
 * name-to-text mapping is kept.
 */
export class PgWireSniffer {
  readonly #statements = new Map<string, string>();
  #clientPending: Buffer = Buffer.alloc(0);
  #serverPending: Buffer = Buffer.alloc(0);
  #startupSeen = false;
  /** Batches sent so far; the startup exchange counts as batch 0 (it also ends with 'Z'). */
  #batchesSent = 1;
  #readySeen = 0;
  #matchInBatch = false;
  /** The 'Z' numbers that answer a batch holding a matched statement. */
  readonly #targets = new Set<number>();
  /** The 'Z' number that ends postgres.js's array-type fetch, while it is outstanding. */
  #typeFetchEnd: number | undefined;
  /** Between the startup's 'Z' and the client's first statement (the type fetch, if it does one). */
  #beforeFirstStatement = false;
  #typeFetchInBatch = false;
  #rowsInBatch = 0;

  /** `matches(text)` decides whether a statement's reply should be dropped. */
  constructor(private readonly matches: (statementText: string) => boolean) {}

  /**
   * True while postgres.js's first statement on a connection (its `fetch_types` query of
   * pg_type) has no reply yet: a connection lost then makes postgres.js 3.4.x leave a rejected
   * promise unhandled (porsager/postgres#1192), which kills a process with default settings.
   */
  get typeFetchPending(): boolean {
    // postgres.js queues the type fetch as soon as the startup's 'Z' arrives but sends it on the
    // next setImmediate: a connection lost in between leaves the same unhandled promise.
    return this.#beforeFirstStatement || this.#typeFetchEnd !== undefined;
  }

  /** Feeds bytes sent by the client. */
  clientData(chunk: Buffer): void {
    this.#clientPending = this.#clientPending.length === 0 ? chunk : Buffer.concat([this.#clientPending, chunk]);
    let at = 0;
    const buf = this.#clientPending;
    if (!this.#startupSeen) {
      if (buf.length < 4) return;
      const length = buf.readInt32BE(0);
      if (buf.length < length) return;
      at = length;
      this.#startupSeen = true;
    }
    while (buf.length - at >= 5) {
      const type = buf[at]!;
      const length = buf.readInt32BE(at + 1);
      if (buf.length - at < 1 + length) break;
      this.#clientMessage(type, buf.subarray(at + 5, at + 1 + length));
      at += 1 + length;
    }
    this.#clientPending = buf.subarray(at);
  }

  /**
   * Feeds bytes sent by the server. Returns the number of rows of a matched statement's batch
   * whose end ('Z') these bytes hold (0 or more), or undefined when they hold none.
   */
  serverData(chunk: Buffer): number | undefined {
    this.#serverPending = this.#serverPending.length === 0 ? chunk : Buffer.concat([this.#serverPending, chunk]);
    const buf = this.#serverPending;
    let at = 0;
    let hit: number | undefined;
    while (buf.length - at >= 5) {
      const type = buf[at]!;
      const length = buf.readInt32BE(at + 1);
      if (buf.length - at < 1 + length) break;
      if (type === dataRow) this.#rowsInBatch++;
      if (type === readyForQuery) {
        if (this.#targets.delete(++this.#readySeen)) hit = (hit ?? 0) + this.#rowsInBatch;
        if (this.#readySeen === 1) this.#beforeFirstStatement = true;
        if (this.#readySeen === this.#typeFetchEnd) this.#typeFetchEnd = undefined;
        this.#rowsInBatch = 0;
      }
      at += 1 + length;
    }
    this.#serverPending = buf.subarray(at);
    return hit;
  }

  #clientMessage(type: number, body: Buffer): void {
    if (type === parse) {
      const nameEnd = body.indexOf(0);
      const textEnd = body.indexOf(0, nameEnd + 1);
      const name = body.toString("utf8", 0, nameEnd);
      const text = body.toString("utf8", nameEnd + 1, textEnd);
      this.#statements.set(name, text);
      if (text.includes(typeFetchText)) this.#typeFetchInBatch = true;
      this.#beforeFirstStatement = false;
    } else if (type === bind) {
      const portalEnd = body.indexOf(0);
      const name = body.toString("utf8", portalEnd + 1, body.indexOf(0, portalEnd + 1));
      const text = this.#statements.get(name);
      if (text !== undefined && this.matches(text)) this.#matchInBatch = true;
    } else if (type === query) {
      this.#batchesSent++;
      this.#beforeFirstStatement = false;
      if (this.matches(body.toString("utf8", 0, body.length - 1))) this.#targets.add(this.#batchesSent);
    } else if (type === sync) {
      this.#batchesSent++;
      if (this.#matchInBatch) this.#targets.add(this.#batchesSent);
      if (this.#typeFetchInBatch) this.#typeFetchEnd = this.#batchesSent;
      this.#matchInBatch = false;
      this.#typeFetchInBatch = false;
    }
  }
}
