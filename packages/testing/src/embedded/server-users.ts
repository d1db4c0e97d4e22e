// Two test runs may share one embedded server (the second reuses what the first started); the
// starter must not stop it under the other. Each user leaves a file named after its PID.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { isAlive } from "./inspect-process.js";

/** Records this process as a user of the server in `usersDir`; returns the file to remove when done. */
export async function registerServerUser(usersDir: string): Promise<string> {
  await mkdir(usersDir, { recursive: true });
  const file = join(usersDir, `${process.pid}-${randomBytes(4).toString("hex")}`);
  await writeFile(file, "");
  return file;
}

/** How many users other than `own` are still alive; files of dead processes are removed. */
export async function countOtherServerUsers(usersDir: string, own: string): Promise<number> {
  let count = 0;
  for (const name of await readdir(usersDir).catch(() => [])) {
    if (name === basename(own)) continue;
    if (isAlive(Number.parseInt(name, 10))) count += 1;
    else await rm(join(usersDir, name), { force: true });
  }
  return count;
}
