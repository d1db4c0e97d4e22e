// Raw SQL for assertions, through sysdb's connection (only sysdb talks to the driver).
import { openSystemDatabase, type SystemDatabase } from "@durably/sysdb";

export type Sql = SystemDatabase["sql"];

export async function withSql<T>(url: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const sysdb = openSystemDatabase({ url, poolSize: 1 });
  try {
    return await fn(sysdb.sql);
  } finally {
    await sysdb.close();
  }
}
