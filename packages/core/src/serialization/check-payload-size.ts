// The one size limit on a stored value: refused with PAYLOAD_TOO_LARGE before anything is written,
// so one huge value cannot bloat the tables or kill a later recovery by memory.
import { DurablyError } from "@durably/sysdb";

/**
 * The default of `maxPayloadBytes`: 64 MiB. Well above the tens of megabytes a step may fairly
 * return (a 20 MB document works end to end), far below Postgres's 1 GB field limit and the
 * hundreds of megabytes that make a replay run out of memory.
 */
export const defaultMaxPayloadBytes = 64 * 1024 * 1024;

/** The largest limit allowed: Postgres cannot store a TEXT value of 1 GB or more. */
export const maxPayloadBytesCeiling = 1_000_000_000;

/**
 * Returns `text` if its UTF-8 size is at most `maxBytes`, else throws PAYLOAD_TOO_LARGE naming
 * `where` and the size. O(1) for the common value: a string of n UTF-16 units is at most 3n bytes.
 *
 * @example
 * checkPayloadSize('{"json":1}', 1024, "output of step add"); // '{"json":1}'
 */
export function checkPayloadSize(text: string, maxBytes: number, where: string): string {
  if (text.length * 3 <= maxBytes) return text;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= maxBytes) return text;
  throw new DurablyError(
    "PAYLOAD_TOO_LARGE",
    `Cannot store ${where}: it is ${formatBytes(bytes)} serialized (${bytes} bytes), over the limit of ` +
      `${formatBytes(maxBytes)} (maxPayloadBytes). Nothing was written. Keep large data elsewhere (a file or ` +
      "object store) and store a reference, or raise maxPayloadBytes in the config.",
    { details: { where, bytes, maxBytes } },
  );
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
