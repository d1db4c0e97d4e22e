// The three postgres.js fixes durably relies on, checked against a driver installed from npm:
//   node driver-tests.mjs <driver module> <database url>
// With @durably/sysdb/postgres (the patched driver sysdb ships) all must pass; with stock
// postgres@3.4.7 all fail, which run.sh checks too so that these tests can be seen to fail.
import net from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";

const [driverModule, url] = process.argv.slice(2);
if (!driverModule || !url) throw new Error("usage: node driver-tests.mjs <driver module> <database url>");
const { default: postgres } = await import(driverModule);
const quiet = { onnotice: () => {}, connect_timeout: 10 };
// Every wait below is bounded; this is the bound of them all together.
setTimeout(() => {
  console.log(`FAIL driver tests (${driverModule}): did not finish within 120 s`);
  process.exit(1);
}, 120_000).unref();

/** Runs `fn`, which returns undefined on success or why it failed; prints one PASS/FAIL line. */
async function check(name, fn) {
  const why = await fn().catch((error) => `threw ${error?.stack ?? error}`);
  console.log(`${why === undefined ? "PASS" : "FAIL"} ${name} (${driverModule})${why === undefined ? "" : `: ${why}`}`);
  return why === undefined;
}

// A commit that fails after the statement ran (a deferred constraint trigger refuses it) must
// reject the statement; stock postgres.js resolves at CommandComplete (porsager/postgres#1090).
async function commitOutcome() {
  const sql = postgres(url, { max: 1, ...quiet });
  try {
    await sql.unsafe(`
      drop table if exists commit_outcome;
      create table commit_outcome (id int8 primary key, body text);
      create or replace function fail_at_commit() returns trigger language plpgsql as $$
        begin if new.body = 'doomed' then raise exception 'refused at commit'; end if; return null; end $$;
      create constraint trigger fail_at_commit after insert on commit_outcome
        deferrable initially deferred for each row execute function fail_at_commit();`);
    const outcomes = [];
    for (const [label, insert] of [
      ["parameterised", () => sql`insert into commit_outcome (id, body) values (${1}, ${"doomed"}) returning id`],
      ["unsafe", () => sql.unsafe("insert into commit_outcome (id, body) values ($1, $2)", [2, "doomed"])],
    ]) {
      const outcome = await insert().then(
        () => "reported success",
        (error) => (String(error?.message).includes("refused at commit") ? "rejected" : `failed otherwise: ${error}`),
      );
      outcomes.push(`${label} insert ${outcome}`);
    }
    // The premise: the commits really failed, so any success reported above was false.
    const written = await sql`select id from commit_outcome`;
    if (written.length !== 0) return `premise broken: the doomed rows were committed (${written.length})`;
    const fine = await sql`insert into commit_outcome (id, body) values (${3}, ${"fine"}) returning id`;
    if (String(fine[0]?.id) !== "3") return `a good insert returned ${JSON.stringify(fine)}`;
    if (outcomes.some((o) => !o.endsWith("rejected"))) return outcomes.join("; ");
    return undefined;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

// A query issued on a connection whose socket was reset, between the socket's 'error' and
// 'close' events, is pipelined onto the dead socket; it must be rejected (CONNECTION_CLOSED)
// once the socket has closed, not left waiting forever for a reply that will never come.
async function deadSocketStrand() {
  const { hostname, port } = new URL(url);
  let socket;
  let closed;
  const sql = postgres(url, {
    max: 1,
    ...quiet,
    // Our own socket, so the test can reset it. Our 'close' listener is added before the
    // driver's, which runs its teardown (and removes every listener) in its own.
    socket: () =>
      new Promise((resolve, reject) => {
        const s = net.connect(Number(port || 5432), hostname);
        s.once("error", reject);
        s.once("connect", () => {
          s.off("error", reject);
          socket = s;
          closed = new Promise((r) => s.once("close", r));
          resolve(s);
        });
      }),
  });
  const admin = postgres(url, { max: 1, ...quiet });
  let backendPid;
  try {
    [{ pid: backendPid }] = await sql`select pg_backend_pid() as pid`;
    const sleeping = sql`select pg_sleep(30)`.then(
      () => ({ error: new Error("pg_sleep returned") }),
      (error) => ({ error }),
    );
    // The premise: the sleep runs on the server before the socket is reset (bounded wait).
    for (let i = 0; ; i++) {
      const [row] = await admin`select query from pg_stat_activity where pid = ${backendPid}`;
      if (row?.query.includes("pg_sleep")) break;
      if (i === 100) return "premise broken: pg_sleep never showed up in pg_stat_activity";
      await new Promise((r) => setTimeout(r, 100));
    }
    socket.destroy(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
    const first = await sleeping;
    if (first.error?.code !== "ECONNRESET") return `the sleeping query ended with ${first.error}, not ECONNRESET`;
    // Issued from the sleeping query's rejection, before the socket's 'close' event.
    let second = "pending";
    sql`select 1 as one`.then(
      () => (second = "resolved"),
      (error) => (second = error?.code ?? String(error)),
    );
    await closed;
    await nextTurn();
    if (second === "CONNECTION_CLOSED") return undefined;
    return second === "pending"
      ? "the second query is stranded: still pending after the socket closed"
      : `the second query ended with ${second}, not CONNECTION_CLOSED`;
  } finally {
    if (backendPid !== undefined) await admin`select pg_terminate_backend(${backendPid})`.catch(() => {});
    await Promise.all([sql.end({ timeout: 1 }), admin.end({ timeout: 1 })]);
  }
}

// A sql.begin() transaction whose backend is terminated mid-statement: stock postgres.js still
// sends its ROLLBACK to the dead connection, where it stays stuck, so end() never returns
// (porsager/postgres#1208). The patched driver rejects the ROLLBACK and ends the pool.
async function transactionCut() {
  const sql = postgres(url, { max: 4, ...quiet });
  const admin = postgres(url, { max: 1, ...quiet });
  // Stock 3.4.7 writes the ROLLBACK to a null socket from a timer, which would end this process.
  const uncaught = [];
  const onUncaught = (error) => uncaught.push(error);
  process.on("uncaughtException", onUncaught);
  let ending = false;
  try {
    let seen;
    let bodyDone;
    const bodyFinished = new Promise((r) => (bodyDone = r));
    const cut = sql.begin(async (trx) => {
      try {
        const [{ pid }] = await trx`select pg_backend_pid() as pid`;
        const sleeping = trx`select pg_sleep(30)`.execute().then(
          () => undefined,
          (error) => ((seen = error?.code), error),
        );
        for (let i = 0; ; i++) {
          const [row] = await admin`select state from pg_stat_activity where pid = ${pid}`;
          if (row?.state === "active") break;
          if (i === 100) throw new Error("pg_sleep never became active");
          await new Promise((r) => setTimeout(r, 100));
        }
        await admin`select pg_terminate_backend(${pid})`;
        const error = await sleeping;
        // Throw once begin() has seen the connection close, so the ROLLBACK meets a closed connection.
        await settled;
        throw error ?? new Error("pg_sleep was not interrupted");
      } finally {
        bodyDone();
      }
    });
    const settled = cut.then(
      () => "committed",
      (error) => error?.code,
    );
    await settled;
    await bodyFinished;
    // The ROLLBACK is issued on the next microtasks and written on a setImmediate.
    for (let turn = 0; turn < 3; turn++) await nextTurn();
    if (seen !== "57P01") return `premise broken: pg_sleep ended with ${seen}, not 57P01`;
    ending = true;
    const outcome = await Promise.race([
      sql.end().then(() => "ended"),
      new Promise((r) => setTimeout(r, 20_000, "still waiting after 20 s").unref()),
    ]);
    if (uncaught.length > 0) return `uncaught: ${uncaught.map((e) => e?.message ?? e).join("; ")}`;
    return outcome === "ended" ? undefined : `end() without a timeout: ${outcome}`;
  } finally {
    process.off("uncaughtException", onUncaught);
    if (!ending) await sql.end({ timeout: 1 });
    await admin.end({ timeout: 1 });
  }
}

const results = [
  await check("commit-outcome: a commit that fails after the statement ran is not reported as success", commitOutcome),
  await check("dead-socket strand: a query pipelined onto a reset socket is rejected when it closes", deadSocketStrand),
  await check("transaction cut: after a backend died inside sql.begin, end() returns", transactionCut),
];
process.exit(results.every(Boolean) ? 0 : 1);
