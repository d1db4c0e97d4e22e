// Aligned columns for human output; colours only when writing to a terminal (picocolors decides).
import pc from "picocolors";

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  /** Colours the padded cell (applied after alignment so escape codes do not skew widths). */
  readonly color?: (text: string, row: Row) => string;
}

export function renderTable<Row>(rows: readonly Row[], columns: ReadonlyArray<Column<Row>>): string {
  if (rows.length === 0) return pc.dim("(none)");
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const header = columns.map((c, i) => pc.bold(c.header.padEnd(widths[i]!))).join("  ");
  const lines = rows.map((row, r) =>
    columns
      .map((c, i) => (c.color ? c.color(cells[r]![i]!.padEnd(widths[i]!), row) : cells[r]![i]!.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
  return [header.trimEnd(), ...lines].join("\n");
}

/** Status strings in colour: green done, red failed, yellow waiting, cyan running. */
export function colorStatus(text: string): string {
  const status = text.trim();
  if (status === "SUCCESS") return pc.green(text);
  if (status === "ERROR" || status === "MAX_RECOVERY_ATTEMPTS_EXCEEDED") return pc.red(text);
  if (status === "CANCELLED") return pc.gray(text);
  if (status === "PENDING") return pc.cyan(text);
  return pc.yellow(text);
}
