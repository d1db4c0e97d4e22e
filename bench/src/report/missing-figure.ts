// What the table and chart print where a figure is missing: "not run" when --only left its
// scenario out, "failed" when the scenario ran and produced no figure.
import type { BenchOptions } from "../bench-options.js";

export function missingFigure(options: Pick<BenchOptions, "only">, scenario: string): "not run" | "failed" {
  return options.only.length > 0 && !options.only.includes(scenario) ? "not run" : "failed";
}
