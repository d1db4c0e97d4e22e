// Catalog text differs in ways that do not change behaviour (the schema's own name, a function
// body's layout and comments); these normalisers remove exactly that and nothing else.

/** What the schema's name becomes in normalised text. */
export const schemaPlaceholder = "{{schema}}";

/**
 * Replaces `"schema".` (and `schema.` where the name needs no quotes) by `{{schema}}.`, so two
 * catalogs built into differently named schemas compare equal.
 */
export function replaceSchemaName(text: string, schema: string): string {
  const quoted = `"${schema.replaceAll('"', '""')}".`;
  let result = text.replaceAll(quoted, `${schemaPlaceholder}.`);
  if (/^[a-z_][a-z0-9_$]*$/.test(schema)) {
    const bare = new RegExp(`(?<![\\w$"])${schema.replaceAll("$", "\\$")}\\.`, "g");
    result = result.replace(bare, `${schemaPlaceholder}.`);
  }
  return result;
}

/**
 * A function body with its comments removed and every run of whitespace outside quotes turned
 * into one space. Quoted text ('literals', "identifiers") is kept exactly.
 */
export function normaliseFunctionBody(body: string): string {
  let out = "";
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (c === "'" || c === '"') {
      let end = i + 1;
      // A doubled quote inside quotes is an escaped quote, not the end.
      while (end < body.length && !(body[end] === c && body[end + 1] !== c)) end += body[end] === c ? 2 : 1;
      out += body.slice(i, end + 1);
      i = end + 1;
    } else if (body.startsWith("--", i)) {
      const newline = body.indexOf("\n", i);
      i = newline === -1 ? body.length : newline;
    } else if (body.startsWith("/*", i)) {
      const close = body.indexOf("*/", i + 2);
      i = close === -1 ? body.length : close + 2;
    } else if (/\s/.test(c)) {
      if (!out.endsWith(" ")) out += " ";
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out.trim();
}
