// Runs a transaction step through postgresDatasource in a process where @durably/datasource cannot
// resolve "kysely", as in an app that installed postgres.js and not the optional peer kysely (core's
// own system-database layer still has its kysely). Prints the step's result.
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`export async function resolve(specifier, context, next) {
      if (specifier === "kysely" && context.parentURL?.includes("/datasource/dist/")) throw Object.assign(new Error("kysely is not installed"), { code: "ERR_MODULE_NOT_FOUND" });
      return next(specifier, context);
    }`),
);

const [url] = process.argv.slice(2);
const { createDBOSContext, launch, registerWorkflow, runWorkflow, shutdown } = await import("@durably/core");
const { postgresDatasource, kyselyDatasource, runAsTransaction } = await import("@durably/datasource");
const { default: postgres } = await import("postgres");

const sql = postgres(url, { max: 1, onnotice: () => {} });
const ctx = createDBOSContext({ appName: "no-kysely", systemDatabaseUrl: url, applicationVersion: "v1" });
const appDb = postgresDatasource(sql);
const wf = registerWorkflow(
  ctx,
  (wctx) => runAsTransaction(wctx, appDb, async (tx) => (await tx`select 41 + 1 as n`)[0].n),
  {
    name: "answer",
  },
);
await launch(ctx);
try {
  const answer = await (await runWorkflow(ctx, wf, undefined)).getResult();
  // kyselyDatasource itself is only reached on first use, where the missing peer shows.
  const kyselyMissing = await kyselyDatasource({ transaction() {} })
    .readCompletion("w", 0)
    .then(
      () => "loaded",
      (error) => error.code,
    );
  console.log(JSON.stringify({ answer, kyselyMissing }));
} finally {
  await shutdown(ctx);
  await sql.end();
}
