// Everything one `pnpm bench` run found, in the shape the table, the chart and the JSON share.
import type { BenchOptions } from "../bench-options.js";
import type { ScenarioSpec } from "../scenarios/scenario-catalog.js";
import type { CpuSummary, MetricSummary, PhysicalLimitSummary } from "./summarize-runs.js";
import type { RunRecord } from "./run-record.js";
import type { TargetResult } from "./targets.js";

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1, 5 and 15 minute load averages when the run started, and when it ended. */
  readonly loadAtStart: readonly number[];
  readonly loadAtEnd?: readonly number[];
}

export interface ServerInfo {
  readonly kind: string;
  readonly host: string;
  readonly version: string;
  readonly settings: Readonly<Record<string, string>>;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly server: ServerInfo;
  readonly options: BenchOptions;
  /** Versions and the settings each library ran with. */
  readonly libraries: Readonly<Record<"durably" | "dbos", Readonly<Record<string, unknown>>>>;
  readonly scenarios: readonly ScenarioSpec[];
  readonly metrics: readonly MetricSummary[];
  readonly physicalLimit: PhysicalLimitSummary;
  /** CPU during the timed sections: is a run bound by Node or by the machine (Postgres)? */
  readonly cpu: readonly CpuSummary[];
  /** Statements per workflow by shape, from the last measured statements run of each library. */
  readonly statementShapes: Readonly<Record<string, unknown>>;
  readonly targets: readonly TargetResult[];
  readonly failures: readonly RunRecord[];
  readonly runs: readonly RunRecord[];
}
