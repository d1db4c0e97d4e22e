// A workflow status as a coloured label.
export function StatusBadge({ status }: { status: string | null }) {
  return <span className={`badge ${(status ?? "").toLowerCase()}`}>{status ?? "?"}</span>;
}
