// What a scenario receives inside its worker process, and what it hands back.
import type { BenchSizes } from "../bench-options.js";
import type { BenchLibrary, LibraryName, LibraryOptions } from "../libraries/library.js";

export interface ScenarioContext {
  readonly library: LibraryName;
  readonly sizes: BenchSizes;
  /** URL of this run's system database (scenario 5 hands it to its client and its queue worker). */
  readonly url: string;
  /** Creates the library under test on this run's database (not launched yet). */
  open(options?: Omit<LibraryOptions, "url">): Promise<BenchLibrary>;
  /** Executor ID chosen by the parent (recovery), else undefined: the library's default. */
  readonly executorId: string | undefined;
  /** Workflow IDs chosen by the parent (recovery). */
  readonly workflowIDs: readonly string[];
  /** Tells the parent that the scenario reached its kill point. */
  ready(): void;
}

export interface ScenarioResult {
  /** Numbers for the table, JSON and chart: one value per key per run. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Anything else worth keeping in the JSON (statement shapes). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export type Scenario = (ctx: ScenarioContext) => Promise<ScenarioResult>;
