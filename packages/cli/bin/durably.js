#!/usr/bin/env node
// The `durably` command. This file is committed (dist/ is built), so a package manager can link the
// bin at install time, before any build; without the build it says what to do.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    `durably: ${fileURLToPath(main)} is missing; build the CLI first (in the durably repo: pnpm build).\n`,
  );
  process.exit(1);
}
await import(main.href);
