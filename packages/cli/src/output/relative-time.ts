// "3m ago", "in 2h": how long ago (or until) a time is, for human output.

export function relativeTime(date: Date | undefined, now = Date.now()): string {
  if (date === undefined) return "-";
  const diff = date.getTime() - now;
  const abs = Math.abs(diff);
  const [value, unit] =
    abs < 1_000
      ? [0, "now"]
      : abs < 60_000
        ? [abs / 1_000, "s"]
        : abs < 3_600_000
          ? [abs / 60_000, "m"]
          : abs < 86_400_000
            ? [abs / 3_600_000, "h"]
            : [abs / 86_400_000, "d"];
  if (unit === "now") return "just now";
  const text = `${Math.floor(value)}${unit}`;
  return diff < 0 ? `${text} ago` : `in ${text}`;
}
