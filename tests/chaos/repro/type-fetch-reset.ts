// Reproduces porsager/postgres#1192 with durably's postgres.js: a new connection lost while
// postgres.js fetches array types (its first statement) leaves a rejected promise unhandled,
// which kills a Node process with default settings. Run: tsx chaos/repro/type-fetch-reset.ts <postgres URL>
// Prints one JSON line and exits 70 if the rejection went unhandled, 0 if not.
import postgres from "postgres";
import { TcpProxy } from "../support/tcp-proxy.js";

const target = new URL(process.argv[2] ?? "postgres://postgres@127.0.0.1:5432/postgres");
const proxy = await TcpProxy.start(Number(target.port || 5432));
process.on("unhandledRejection", (reason) => {
  const seen = proxy.stats.closedDuringTypeFetch.length;
  console.log(
    JSON.stringify({
      unhandled: true,
      code: (reason as { code?: string }).code,
      message: String(reason),
      closedDuringTypeFetch: seen,
    }),
  );
  process.exit(70);
});
target.hostname = "127.0.0.1";
target.port = String(proxy.port);
const sql = postgres(target.toString(), { max: 1, onnotice: () => undefined });
proxy.dropReplyTo("b.oid, b.typarray"); // cut the connection right after the type fetch ran, before its reply
const first = await sql`select 1 as one`.then(
  () => "ok",
  (error: { code?: string }) => `rejected ${error.code}`,
);
await new Promise((resolve) => setTimeout(resolve, 200));
console.log(JSON.stringify({ unhandled: false, firstQuery: first, droppedReplies: proxy.stats.droppedReplies }));
await sql.end({ timeout: 1 });
await proxy.close();
