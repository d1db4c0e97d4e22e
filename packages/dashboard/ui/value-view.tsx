// A workflow value as a collapsible tree (react-json-view-lite renders every string as text, so a
// `<script>` output shows its characters). Special types arrive labelled from the server.
import { allExpanded, collapseAllNested, defaultStyles, JsonView } from "react-json-view-lite";

export function ValueView({ value, expand = false }: { value: unknown; expand?: boolean }) {
  if (value === null || value === undefined) return <span className="muted">none</span>;
  if (typeof value !== "object") return <code className="value">{String(value)}</code>;
  return (
    <JsonView
      data={value as object}
      shouldExpandNode={expand ? allExpanded : collapseAllNested}
      style={defaultStyles}
    />
  );
}
