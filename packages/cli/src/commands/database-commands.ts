// `durably migrate`, `durably schema print`: the database itself.
import type { Command } from "commander";
import { ensureDatabaseExists, migrateSystemDatabase, openSystemDatabase, renderMigrationSql } from "@durably/sysdb";
import { cliConnectTimeoutMs, databaseUrl, type ConnectionOptions } from "../connect-client.js";
import { printJson, printText } from "../output/print.js";

export function registerDatabaseCommands(program: Command, global: () => ConnectionOptions & { json?: boolean }): void {
  program
    .command("migrate")
    .description("create the system database if needed and bring its schema up to date")
    .action(async () => {
      const options = global();
      const { url, urlName, pooler } = databaseUrl(options);
      // No retries: a refused or unknown server fails at once, with one line saying why.
      const connecting = { urlName, connectTimeoutMs: cliConnectTimeoutMs, retryConnect: false };
      const created = await ensureDatabaseExists(url, connecting);
      const schema = options.schema === undefined ? {} : { schema: options.schema };
      // Through a transaction pooler too: the migration lock is transaction-scoped (migrate.ts).
      const sysdb = openSystemDatabase({ url, ...connecting, ...pooler, poolSize: 1, ...schema });
      try {
        await sysdb.connect();
        const report = await migrateSystemDatabase(sysdb);
        if (options.json) return printJson({ createdDatabase: created, ...report });
        const what =
          report.applied.length === 0 ? "already up to date" : `applied migration(s) ${report.applied.join(", ")}`;
        printText(
          `${sysdb.location}:` +
            ` ${created ? "created the database; " : ""}${what}` +
            `${report.adoptedFromDbos ? " (adopted a DBOS-migrated schema)" : ""}.`,
        );
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
}
