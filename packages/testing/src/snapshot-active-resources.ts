// A leak check compares the handles keeping the process alive before and after a test file.

/** How many active resources of each type (`Timeout`, `TCPSocketWrap`, ...) keep the event loop alive. */
export type ActiveResources = Readonly<Record<string, number>>;

/**
 * Counts `process.getActiveResourcesInfo()` by type. Unref'd timers and sockets are not counted,
 * since they do not keep the process alive.
 *
 * @example
 * ```ts
 * const before = snapshotActiveResources();
 * ```
 */
export function snapshotActiveResources(): ActiveResources {
  // stdout and stderr open their pipe on first use; open them now so a first log line is not a "leak".
  void process.stdout;
  void process.stderr;
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return Object.freeze(counts);
}

/** Types whose count in `now` exceeds `baseline`, as `"Timeout +1 (0 → 1)"`. */
export function describeResourceGrowth(baseline: ActiveResources, now: ActiveResources): string[] {
  return Object.entries(now)
    .filter(([type, count]) => count > (baseline[type] ?? 0))
    .map(([type, count]) => `${type} +${count - (baseline[type] ?? 0)} (${baseline[type] ?? 0} → ${count})`);
}
