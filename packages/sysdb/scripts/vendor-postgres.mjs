// Copies the workspace's postgres.js (patched by pnpm from patches/postgres@3.4.7.patch) into
// dist/vendor/postgres, so the fixes travel with @durably/sysdb: pnpm's patchedDependencies only
// apply inside this workspace, and an app installing sysdb from npm would get the stock driver.
// Fails the build if the copy does not carry every line the patch adds.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const patchFile = join(here, "..", "..", "..", "patches", "postgres@3.4.7.patch");
// resolve("postgres") gives cjs/src/index.js (the package exports no ./package.json): go up two.
const driver = join(dirname(createRequire(import.meta.url).resolve("postgres")), "..", "..");
const { version } = JSON.parse(readFileSync(join(driver, "package.json"), "utf8"));
if (version !== "3.4.7") throw new Error(`vendor-postgres: found postgres ${version}, the patch is for 3.4.7`);

const added = readFileSync(patchFile, "utf8")
  .split("diff --git ")
  .filter((part) => part.startsWith("a/src/"))
  .flatMap((part) => {
    const file = part.slice(2, part.indexOf(" "));
    const text = readFileSync(join(driver, file), "utf8");
    return part
      .split("\n")
      .filter((l) => l.startsWith("+") && !l.startsWith("+++") && l.trim() !== "+")
      .map((l) => ({ file, line: l.slice(1), text }));
  });
const missing = added.filter(({ line, text }) => !text.includes(line));
if (added.length === 0 || missing.length > 0) {
  throw new Error(
    `vendor-postgres: ${driver} is not patched ` +
      `(missing: ${missing.map((m) => `${m.file}: ${m.line.trim()}`).join("; ")})`,
  );
}

const out = join(here, "..", "dist", "vendor", "postgres");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(driver, "src"), join(out, "src"), { recursive: true });
// types/package.json has no "type": TypeScript reads index.d.ts (export =) as CommonJS, as upstream.
cpSync(join(driver, "types", "index.d.ts"), join(out, "types", "index.d.ts"));
writeFileSync(join(out, "types", "package.json"), "{}\n");
cpSync(join(here, "postgres-js-UNLICENSE.txt"), join(out, "LICENSE"));
writeFileSync(
  join(out, "README.md"),
  `postgres.js ${version} (https://github.com/porsager/postgres, Unlicense: see LICENSE), ESM sources and types,\n` +
    `with durably's patches/postgres@3.4.7.patch applied. Import it as \`@durably/sysdb/postgres\`.\n`,
);
