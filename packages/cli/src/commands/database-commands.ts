// `durably migrate`, `durably schema print`, `durably dev-db start|stop`: the database itself.
import { resolve } from "node:path";
import type { Command } from "commander";
import { ensureDatabaseExists, migrateSystemDatabase, openSystemDatabase, renderMigrationSql } from "@durably/sysdb";
import { cliConnectTimeoutMs, databaseUrl, type ConnectionOptions } from "../connect-client.js";
import { loadEmbeddedPostgres } from "../load-embedded-postgres.js";
import { printJson, printText } from "../output/print.js";

const devDataDir = () => resolve(".durably", "postgres");

export function registerDatabaseCommands(program: Command, global: () => ConnectionOptions & { json?: boolean }): void {
  program
    .command("migrate")
    .description("create the system database if needed and bring its schema up to date")
    .action(async () => {
      const options = global();
      const { url, urlName } = databaseUrl(options);
      // No retries: a refused or unknown server fails at once, with one line saying why.
      const connecting = { urlName, connectTimeoutMs: cliConnectTimeoutMs, retryConnect: false };
      const created = await ensureDatabaseExists(url, connecting);
      const schema = options.schema === undefined ? {} : { schema: options.schema };
      const sysdb = openSystemDatabase({ url, ...connecting, poolSize: 1, ...schema });
      try {
        await sysdb.connect();
        const report = await migrateSystemDatabase(sysdb);
        if (options.json) return printJson({ createdDatabase: created, ...report });
        const what = report.applied.length === 0 ? "already up to date" : `applied migration(s) ${report.applied.join(", ")}`;
        printText(`${sysdb.location}: ${created ? "created the database; " : ""}${what}${report.adoptedFromDbos ? " (adopted a DBOS-migrated schema)" : ""}.`);
      } finally {
        await sysdb.close();
      }
    });

  program
    .command("schema")
    .description("the system schema")
    .command("print")
    .description("print the SQL that migrate runs, for review before applying")
    .action(() => printText(renderMigrationSql(global().schema ?? "dbos")));

  const devDb = program.command("dev-db").description(`a local Postgres for development (data in ${devDataDir()})`);
  devDb
    .command("start")
    .description("start it (or find it running) and print its URL")
    .action(async () => {
      const { startEmbeddedPostgres } = await loadEmbeddedPostgres();
      const server = await startEmbeddedPostgres({ dataDir: devDataDir() });
      const url = new URL(server.url);
      url.pathname = "/durably_dev";
      if (global().json) return printJson({ url: url.toString(), port: server.port, pid: server.pid, dataDir: server.dataDir, startedHere: server.startedHere });
      printText(`${server.startedHere ? "Started" : "Already running:"} Postgres on port ${server.port} (data in ${server.dataDir}).`);
      printText(`export DBOS_SYSTEM_DATABASE_URL=${url.toString()}`);
    });
  devDb
    .command("stop")
    .description("stop it")
    .action(async () => {
      const { stopEmbeddedPostgres } = await loadEmbeddedPostgres();
      const stopped = await stopEmbeddedPostgres(devDataDir());
      if (global().json) return printJson({ stopped });
      printText(stopped ? "Stopped the development Postgres." : "The development Postgres was not running.");
    });
}
