// `pnpm schema:dump`: rewrites schema/schema.sql from durably's migrations.
import { writeFile } from "node:fs/promises";
import { dumpFreshSchema } from "./dump-schema.js";

const target = new URL("../../schema/schema.sql", import.meta.url);
await writeFile(target, await dumpFreshSchema());
console.log(`wrote ${target.pathname}`);
