// One statement through the installed driver, printing the first column of the first row:
//   node sql.mjs <database url> <statement>
import postgres from "@durably/sysdb/postgres";

const [url, statement] = process.argv.slice(2);
if (!url || !statement) throw new Error("usage: node sql.mjs <database url> <statement>");
const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
try {
  const [row] = await sql.unsafe(statement);
  if (row) console.log(Object.values(row)[0]);
} finally {
  await sql.end({ timeout: 1 });
}
