// Turns two catalogs into a short list of readable differences; an empty list means "the same schema".
import { keyOf } from "./read-catalog.js";
import type { Catalog, CatalogEntry } from "./read-catalog.js";

/** Names for the two sides in the messages. */
export type SideLabels = readonly [left: string, right: string];

/**
 * Every difference between `left` and `right`, one line each, sorted. A table present on one side
 * only is one line; its columns, indexes and the like are not listed again.
 *
 * @example
 * diffCatalogs(durably, dbos); // ["table durably_migrations: only in durably"]
 */
export function diffCatalogs(left: Catalog, right: Catalog, labels: SideLabels = ["durably", "DBOS"]): string[] {
  const leftByKey = byKey(left);
  const rightByKey = byKey(right);
  const leftOnlyTables = tablesMissingFrom(left, rightByKey);
  const rightOnlyTables = tablesMissingFrom(right, leftByKey);
  const differences: string[] = [];

  for (const [key, entry] of leftByKey) {
    const other = rightByKey.get(key);
    if (other === undefined) {
      if (!isInside(entry, leftOnlyTables)) differences.push(`${key}: only in ${labels[0]}`);
    } else if (other.definition !== entry.definition) {
      differences.push(`${key}: ${describeChange(entry.definition, other.definition, labels)}`);
    }
  }
  for (const [key, entry] of rightByKey) {
    if (!leftByKey.has(key) && !isInside(entry, rightOnlyTables)) differences.push(`${key}: only in ${labels[1]}`);
  }
  return differences.sort();
}

/** The differences as a numbered list, for failure messages. */
export function formatDifferences(differences: readonly string[]): string {
  if (differences.length === 0) return "no differences";
  return `${differences.length} difference(s):\n${differences.map((d, i) => `  ${i + 1}. ${d}`).join("\n")}`;
}

function byKey(catalog: Catalog): Map<string, CatalogEntry> {
  return new Map(catalog.map((entry) => [keyOf(entry), entry]));
}

function tablesMissingFrom(catalog: Catalog, other: Map<string, CatalogEntry>): Set<string> {
  return new Set(catalog.filter((e) => e.kind === "table" && !other.has(keyOf(e))).map((e) => e.name));
}

/** True for an entry that belongs to (but is not) a table listed in `tables`. */
function isInside(entry: CatalogEntry, tables: Set<string>): boolean {
  return entry.kind !== "table" && entry.table !== undefined && tables.has(entry.table);
}

/** Both definitions, or for long ones (function bodies) the stretch around where they part. */
function describeChange(left: string, right: string, labels: SideLabels): string {
  let at = 0;
  while (at < left.length && left[at] === right[at]) at++;
  const excerpt = (text: string) =>
    text.length <= 160 ? text : `…${text.slice(Math.max(0, at - 60), at + 100)}… (differs at character ${at})`;
  return `${labels[0]} has \`${excerpt(left)}\`, ${labels[1]} has \`${excerpt(right)}\``;
}
