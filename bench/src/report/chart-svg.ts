// The run as a picture: one group of two horizontal bars (durably, DBOS) per metric, each metric
// scaled to its own larger value, whiskers for the min–max of the rounds, written as plain SVG.
import { missingFigure } from "./missing-figure.js";
import type { BenchReport } from "./bench-report.js";
import { formatNumber } from "./format-number.js";
import type { Spread } from "./summarize-runs.js";

const width = 1100;
const labelX = 20;
const barX = 440;
const barWidth = 440;
const ratioX = width - 20;
const barHeight = 14;
const barGap = 3;
const rowHeight = 2 * barHeight + barGap + 18;
const colors = { durably: "#1b7f79", dbos: "#e07b39", postgres: "#7a7a7a" } as const;

export function renderChartSvg(report: BenchReport): string {
  const parts: string[] = [];
  let y = 0;
  const text = (x: number, ty: number, content: string, attrs = "") =>
    parts.push(`<text x="${x}" y="${ty}" ${attrs}>${escapeXml(content)}</text>`);

  y += 32;
  text(
    labelX,
    y,
    `durably vs DBOS TypeScript 5.3.0 on one Postgres, ${report.startedAt.slice(0, 10)}`,
    'font-size="20" font-weight="bold"',
  );
  y += 22;
  const { machine, server, options } = report;
  text(
    labelX,
    y,
    `${machine.cpus} cores, ${machine.memoryGiB} GiB, ` +
      `Node ${machine.node}; ${server.version.split(" on ")[0]}, ` +
      `synchronous_commit=${server.settings.synchronous_commit ?? "?"}; ` +
      `${options.rounds} measured round(s) after ${options.warmupRounds} warm-up`,
    'font-size="13" fill="#444"',
  );
  y += 18;
  text(
    labelX,
    y,
    "Bars: median of the rounds; whiskers: min–max. Each metric is scaled to its own larger value. Right: " +
      "how many times better durably is.",
    'font-size="13" fill="#444"',
  );
  y += 26;
  legend(parts, labelX, y);
  y += 22;

  for (const m of report.metrics) {
    const scale = Math.max(m.durably?.max ?? 0, m.dbos?.max ?? 0) || 1;
    text(labelX, y + barHeight, m.label.trim(), 'font-size="14"');
    text(labelX, y + 2 * barHeight + barGap + 2, `${m.unit}, ${m.better} is better`, 'font-size="11" fill="#666"');
    const missing = missingFigure(report.options, m.scenario);
    bar(parts, y, m.durably, scale, colors.durably, m.unit, m.digits, missing);
    bar(parts, y + barHeight + barGap, m.dbos, scale, colors.dbos, m.unit, m.digits, missing);
    if (m.advantage !== undefined) {
      text(
        ratioX,
        y + barHeight + 6,
        `${m.advantage.toFixed(2)}x`,
        `font-size="15" font-weight="bold" text-anchor="end" fill="${m.advantage >= 1 ? colors.durably : colors.dbos}"`,
      );
    }
    y += rowHeight;
  }

  const p = report.physicalLimit;
  y += 6;
  text(labelX, y + barHeight, "Physical limit: single-row INSERT commits/s", 'font-size="14" font-weight="bold"');
  text(
    labelX,
    y + 2 * barHeight + barGap + 2,
    `1 connection (upper bar) and ${p.connections} connections (lower bar)`,
    'font-size="11" fill="#666"',
  );
  const pScale = Math.max(p.commitsPerSecOne?.max ?? 0, p.commitsPerSecMany?.max ?? 0) || 1;
  const physicalMissing = missingFigure(report.options, "physical-limit");
  bar(parts, y, p.commitsPerSecOne, pScale, colors.postgres, "commits/s", 0, physicalMissing);
  bar(parts, y + barHeight + barGap, p.commitsPerSecMany, pScale, colors.postgres, "commits/s", 0, physicalMissing);
  y += rowHeight + 8;

  const pending = report.scenarios.filter((s) => s.pending !== undefined);
  if (pending.length > 0) {
    text(labelX, y, "Pending (not measured, not faked):", 'font-size="13" font-weight="bold"');
    for (const s of pending) {
      y += 18;
      text(labelX + 10, y, `${s.number} ${s.title}: ${s.pending}`, 'font-size="12" fill="#444"');
    }
    y += 10;
  }
  y += 16;
  const height = Math.ceil(y);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 ` +
      `0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}

function bar(
  parts: string[],
  y: number,
  spread: Spread | undefined,
  scale: number,
  color: string,
  unit: string,
  digits: number,
  missing: "not run" | "failed",
): void {
  if (spread === undefined) {
    const fill = missing === "failed" ? "#b00" : "#888";
    parts.push(`<text x="${barX}" y="${y + barHeight - 3}" font-size="12" fill="${fill}">${missing}</text>`);
    return;
  }
  const w = (v: number) => Math.max(1, (v / scale) * barWidth);
  parts.push(
    `<rect x="${barX}" y="${y}" width="${w(spread.median).toFixed(1)}" height="${barHeight}" fill="${color}"/>`,
  );
  if (spread.max > spread.min) {
    const mid = y + barHeight / 2;
    const x1 = barX + w(spread.min);
    const x2 = barX + w(spread.max);
    parts.push(
      `<path d="M${x1.toFixed(1)} ${mid} H${x2.toFixed(1)} M${x1.toFixed(1)} ${y + 3} V${y + barHeight - 3} ` +
        `M${x2.toFixed(1)} ${y + 3} V${y + barHeight - 3}" stroke="#222" stroke-width="1.2" fill="none"/>`,
    );
  }
  const labelAt = barX + w(spread.max) + 6;
  parts.push(
    `<text x="${labelAt.toFixed(1)}" y="${y + barHeight - 3}" ` +
      `font-size="12">${escapeXml(`${formatNumber(spread.median, digits)} ${unit}`)}</text>`,
  );
}

function legend(parts: string[], x: number, y: number): void {
  const entries: Array<[string, string]> = [
    ["durably", colors.durably],
    ["DBOS TypeScript 5.3.0", colors.dbos],
  ];
  let at = x;
  for (const [name, color] of entries) {
    parts.push(`<rect x="${at}" y="${y - 11}" width="14" height="14" fill="${color}"/>`);
    parts.push(`<text x="${at + 20}" y="${y}" font-size="13">${escapeXml(name)}</text>`);
    at += 40 + name.length * 8;
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
