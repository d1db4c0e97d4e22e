// Writing results: JSON for scripts (--json), text for people.

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

export function printText(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** BigInt, Map, Set and Error have no JSON form of their own; give them one. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (value instanceof Error) return { ...value, name: value.name, message: value.message };
  return value;
}

/** A short one-line rendering of any value, for table cells. */
export function brief(value: unknown, max = 60): string {
  if (value === undefined) return "-";
  const text =
    typeof value === "string"
      ? value
      : value instanceof Error
        ? `${value.name}: ${value.message}`
        : JSON.stringify(value, jsonReplacer);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A line for people on stderr, so that stdout stays what a script reads or a shell evals. */
export function printNote(text: string): void {
  process.stderr.write(`${text}\n`);
}
