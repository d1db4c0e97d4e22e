import postgres from "postgres";
import { afterAll, describe, expect, test } from "vitest";
import {
  createTestDatabase,
  isTestDatabaseError,
  templateDatabaseName,
  type TestDatabaseTemplate,
} from "../src/index.js";
import { newTestDatabaseName } from "../src/test-database-name.js";
import { adminUrlFromSetup } from "./support/admin-url.js";

const adminUrl = adminUrlFromSetup();
const run = `${process.pid}-${Date.now().toString(36)}`;
const templates = new Set<string>();

function uniqueKey(label: string): string {
  const key = `selftest-${label}-${run}`;
  templates.add(templateDatabaseName(key));
  return key;
}

async function withAdmin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  return withAdmin(async (sql) => (await sql`select 1 from pg_database where datname = ${name}`).length > 0);
}

/** A setup that creates one row, slowly enough that concurrent callers overlap. */
function countingTemplate(key: string): TestDatabaseTemplate & { runs: number } {
  const template = {
    key,
    runs: 0,
    setup: async (url: string) => {
      template.runs += 1;
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      await sql`create table built (id serial primary key, at timestamptz not null default clock_timestamp())`;
      await sql`insert into built default values`;
      await new Promise((resolve) => setTimeout(resolve, 300));
      await sql.end();
    },
  };
  return template;
}

afterAll(async () => {
  await withAdmin(async (sql) => {
    for (const name of templates) {
      for (const db of [name, `${name}_building`]) {
        if ((await sql`select 1 from pg_database where datname = ${db}`).length === 0) continue;
        await sql`alter database ${sql(db)} with is_template false allow_connections true`;
        await sql`drop database ${sql(db)} with (force)`;
      }
    }
  });
});

describe("createTestDatabase", () => {
  test("builds a template once when many callers race, and every clone has its contents", async () => {
    const template = countingTemplate(uniqueKey("race"));
    const dbs = await Promise.all(Array.from({ length: 6 }, () => createTestDatabase({ template })));
    try {
      expect(template.runs).toBe(1);
      expect(new Set(dbs.map((db) => db.name)).size).toBe(6);
      const stamps = new Set<string>();
      for (const db of dbs) {
        const sql = postgres(db.url, { max: 1 });
        const rows = await sql<{ at: Date }[]>`select at from built`;
        await sql.end();
        expect(rows).toHaveLength(1);
        stamps.add(rows[0]!.at.toISOString());
      }
      expect(stamps.size).toBe(1);
    } finally {
      await Promise.all(dbs.map((db) => db.drop()));
    }
  });

  test("reuses a finished template without running setup again", async () => {
    const template = countingTemplate(uniqueKey("reuse"));
    const first = await createTestDatabase({ template });
    const second = await createTestDatabase({
      template: { ...template, setup: async () => expect.fail("setup ran twice") },
    });
    await Promise.all([first.drop(), second.drop()]);
    expect(template.runs).toBe(1);
  });

  test("a failed setup leaves no template behind, and the next call builds it", async () => {
    const key = uniqueKey("fails");
    const name = templateDatabaseName(key);
    const failing = createTestDatabase({
      template: { key, setup: async () => Promise.reject(new Error("migration 7 broke")) },
    });
    await expect(failing).rejects.toSatisfy(
      (err) => isTestDatabaseError(err) && err.code === "TEMPLATE" && /migration 7 broke/.test(err.message),
    );
    expect(await databaseExists(name)).toBe(false);
    expect(await databaseExists(`${name}_building`)).toBe(false);
    const template = countingTemplate(key);
    const db = await createTestDatabase({ template });
    await db.drop();
    expect(template.runs).toBe(1);
  });

  test("replaces a half-built template left by a builder that died", async () => {
    const key = uniqueKey("orphan");
    await withAdmin((sql) => sql`create database ${sql(`${templateDatabaseName(key)}_building`)}`);
    const template = countingTemplate(key);
    const db = await createTestDatabase({ template });
    await db.drop();
    expect(template.runs).toBe(1);
  });

  test("names the connection a setup left open", async () => {
    const key = uniqueKey("leaky");
    let leaked: postgres.Sql | undefined;
    const setup = async (url: string) => {
      leaked = postgres(url, { max: 1, connection: { application_name: "leaky-setup" } });
      await leaked`select 1`;
    };
    try {
      await expect(createTestDatabase({ template: { key, setup } })).rejects.toThrow(/leaky-setup/);
    } finally {
      await leaked?.end({ timeout: 0 });
    }
    expect(await databaseExists(templateDatabaseName(key))).toBe(false);
  });

  test("rejects a malformed key before touching the server", async () => {
    const bad = createTestDatabase({
      adminUrl: "postgres://nobody@127.0.0.1:1/x",
      template: { key: "has space", setup: async () => {} },
    });
    await expect(bad).rejects.toSatisfy((err) => isTestDatabaseError(err) && err.code === "INVALID_KEY");
  });

  test("without a template, creates an empty database; drop() forces out stragglers and is idempotent", async () => {
    const db = await createTestDatabase();
    expect(db.name).toMatch(/^durably_test_/);
    const straggler = postgres(db.url, { max: 1 });
    await straggler`select 1`;
    await db.drop();
    expect(await databaseExists(db.name)).toBe(false);
    await db.drop();
    await straggler.end({ timeout: 0 });
  });

  test("collects test databases older than an hour", async () => {
    const old = newTestDatabaseName(Date.now() - 2 * 60 * 60 * 1000);
    const recent = newTestDatabaseName(Date.now() - 10 * 60 * 1000);
    await withAdmin(async (sql) => {
      await sql`create database ${sql(old)}`;
      await sql`create database ${sql(recent)}`;
    });
    const db = await createTestDatabase();
    await db.drop();
    expect(await databaseExists(old)).toBe(false);
    expect(await databaseExists(recent)).toBe(true);
    await withAdmin((sql) => sql`drop database ${sql(recent)}`);
  });
});
