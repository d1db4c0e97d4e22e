// `durably dev-db start|status|stop`: the project's development Postgres, the one the repo's demo uses.
// Its files are in <project>/.durably/postgres, found the same way from any folder of the project.
import type { Command } from "commander";
import { ensureDatabaseExists } from "@durably/sysdb";
import { loadEmbeddedPostgres } from "../load-embedded-postgres.js";
import { printJson, printNote, printText } from "../output/print.js";

const exportLine = (url: string) => `export DBOS_SYSTEM_DATABASE_URL=${url}`;

export function registerDevDbCommands(program: Command, global: () => { json?: boolean }): void {
  const devDb = program
    .command("dev-db")
    .description(
      "the project's development Postgres (files in .durably/postgres at the workspace root, else next to the " +
        "nearest package.json); start and status print `export DBOS_SYSTEM_DATABASE_URL=…` on stdout",
    );
  devDb
    .command("start")
    .description("start it (or find it running), create its database durably_dev, print its URL")
    .action(async () => {
      const { startEmbeddedPostgres, devDataDir, devDatabaseUrl } = await loadEmbeddedPostgres();
      const server = await startEmbeddedPostgres({ dataDir: devDataDir() });
      const url = devDatabaseUrl(server.url);
      await ensureDatabaseExists(url);
      const { port, pid, dataDir, startedHere } = server;
      if (global().json) return printJson({ url, port, pid, dataDir, startedHere });
      const what = startedHere ? "Started the development Postgres" : "The development Postgres was already running";
      printNote(`${what} on port ${port} (files in ${dataDir}).`);
      printText(exportLine(url));
    });
  devDb
    .command("status")
    .description("say whether it runs, where its files are and its URL; exit code 1 when it is not running")
    .action(async () => {
      const { embeddedPostgresStatus, devDataDir, devDatabaseUrl } = await loadEmbeddedPostgres();
      const status = await embeddedPostgresStatus(devDataDir());
      if (!status.running) process.exitCode = 1;
      const { dataDir } = status;
      if (global().json) return printJson(status.running ? { ...status, url: devDatabaseUrl(status.url) } : status);
      if (!status.running) return printText(`The development Postgres is not running (files in ${dataDir}).`);
      printNote(`The development Postgres is running on port ${status.port}, PID ${status.pid} (files in ${dataDir}).`);
      printText(exportLine(devDatabaseUrl(status.url)));
    });
  devDb
    .command("stop")
    .description("stop it")
    .action(async () => {
      const { stopEmbeddedPostgres, devDataDir } = await loadEmbeddedPostgres();
      const dataDir = devDataDir();
      const stopped = await stopEmbeddedPostgres(dataDir);
      if (global().json) return printJson({ stopped, dataDir });
      const what = stopped ? "Stopped the development Postgres" : "The development Postgres was not running";
      printText(`${what} (files in ${dataDir}).`);
    });
}
