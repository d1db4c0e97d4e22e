// The table `pnpm bench` prints: every figure for durably and DBOS, the ratio, the spread, the
// pending scenarios, the server's physical limit and the targets.
import type { BenchReport } from "./bench-report.js";
import { idleMs } from "../physical-limit.js";
import { formatNumber, formatSpread } from "./format-number.js";
import { missingFigure } from "./missing-figure.js";

export function renderTable(report: BenchReport): string {
  const { machine, server, options } = report;
  const lines: string[] = [];
  const out = (line = "") => lines.push(line);
  out(`durably vs DBOS TypeScript 5.3.0, ${report.startedAt.slice(0, 16).replace("T", " ")} UTC`);
  out(
    `machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `load ${machine.loadAtStart.map((l) => l.toFixed(2)).join(" ")} at ` +
      `start, ${(machine.loadAtEnd ?? []).map((l) => l.toFixed(2)).join(" ")} at end`,
  );
  out(
    `server: ${server.version.split(" on ")[0]} at ${server.host} (${server.kind}); ${Object.entries(server.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
  );
  out(
    `rounds: ${options.rounds} measured after ${options.warmupRounds} warm-up; each figure is the median of ` +
      `the rounds, (min–max) their spread; ` +
      `each run is a fresh process per library, libraries alternate; ` +
      (options.vacuum
        ? "each library database is VACUUM (ANALYZE)d before each run"
        : "no VACUUM between runs (--no-vacuum)"),
  );
  out();
  const rows: string[][] = [["metric", "unit", "durably", "DBOS", "durably advantage"]];
  for (const m of report.metrics) {
    rows.push([
      m.label,
      m.unit,
      m.durably === undefined ? missingFigure(options, m.scenario) : formatSpread(m.durably, m.digits),
      m.dbos === undefined ? missingFigure(options, m.scenario) : formatSpread(m.dbos, m.digits),
      m.advantage === undefined ? "-" : `${m.advantage.toFixed(2)}x${m.advantage < 1 ? " (DBOS better)" : ""}`,
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [i, row] of rows.entries()) {
    out(
      row
        .map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!)))
        .join("  ")
        .trimEnd(),
    );
    if (i === 0) out(widths.map((w) => "-".repeat(w)).join("  "));
  }
  out("'durably advantage': DBOS/durably where lower is better, durably/DBOS where higher is better.");
  out();
  const pending = report.scenarios.filter((s) => s.pending !== undefined);
  if (pending.length > 0) {
    out("Pending (listed, not measured, not faked):");
    for (const s of pending) out(`  ${s.number} ${s.title}: pending, ${s.pending}`);
    out();
  }

  const p = report.physicalLimit;
  const physicalMissing = missingFigure(options, "physical-limit");
  out(
    `Physical limit of this server (single-row INSERT commits per second, postgres.js, ` +
      `~${options.sizes.physicalMs} ms each)`,
  );
  out(
    `  1 connection:   ${p.commitsPerSecOne === undefined ? physicalMissing : formatSpread(p.commitsPerSecOne, 0)} commits/s`,
  );
  out(
    `  ${p.connections} ` +
      `connections: ${p.commitsPerSecMany === undefined ? physicalMissing : formatSpread(p.commitsPerSecMany, 0)} ` +
      `commits/s`,
  );
  const writes = report.metrics.find((m) => m.key === "writeCommitsPerWorkflow");
  if (p.commitsPerSecOne !== undefined && writes?.durably !== undefined) {
    const floor = (writes.durably.median / p.commitsPerSecOne.median) * 1000;
    out(
      `  floor for one sequential workflow of ${formatNumber(writes.durably.median, 1)} write commits ` +
        `(durably's count) on one connection: ${floor.toFixed(2)} ms`,
    );
  }
  if (p.idleCommitP50Ms !== undefined) {
    out(
      `  one commit after ${idleMs} ms idle, p50: ${formatSpread(p.idleCommitP50Ms, 2)} ms (the floor under ` +
        `an in-process send → recv or setEvent → getEvent)`,
    );
  }
  out();

  if (report.cpu.length > 0) {
    out(
      `CPU during the timed part, in % of one core (this machine has ${machine.cpus}): the worker's Node ` +
        `process / the whole machine`,
    );
    for (const c of report.cpu) {
      const pct = (v: number | undefined) => (v === undefined ? "?" : `${v.toFixed(0)}%`);
      out(
        `  ${c.scenario.padEnd(14)} ${c.library.padEnd(8)} node ${pct(c.nodeCpuPct).padStart(4)}   ` +
          `machine ${pct(c.machineCpuPct).padStart(4)}`,
      );
    }
    out();
  }

  out("Statements per 3-step workflow, by shape (background polls excluded):");
  for (const [library, shapes] of Object.entries(report.statementShapes)) {
    out(`  ${library}:`);
    for (const [shape, count] of Object.entries((shapes ?? {}) as Record<string, number>))
      out(`    ${String(count).padStart(5)}  ${shape}`);
  }
  out();

  out("Targets:");
  for (const t of report.targets)
    out(`  [${t.met === "pending" ? "pending" : t.met ? "met" : "missed"}] ${t.target}: ${t.reached}`);
  if (report.failures.length > 0) {
    out();
    out(`FAILED RUNS (${report.failures.length}):`);
    for (const f of report.failures)
      out(`  round ${f.round} ${f.library} ${f.scenario}: ${(f.error ?? "").split("\n").slice(0, 6).join("\n    ")}`);
  }
  return lines.join("\n");
}
