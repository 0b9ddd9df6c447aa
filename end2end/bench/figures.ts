import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../tests/support/servers";

// The browser benchmark's figures: samples and their medians against the targets, the
// table it prints and the JSON file it writes (target/bench/browser.json).

/** How many times each figure is measured (BENCH_RUNS, default 5). */
export const RUNS = Math.max(1, Number(process.env.BENCH_RUNS || 5));
export const rel = (p: string) => path.relative(ROOT, p) || ".";

export type Target = { text: string; met: (median: number) => boolean };

export interface Figure {
  section: string;
  name: string;
  /** A part of the figure above it (indented in the table, "above / name" in the JSON). */
  part?: boolean;
  unit: string;
  samples: number[];
  median: number;
  min: number;
  max: number;
  target?: Target;
  /** A difference of medians: no min and max of its own (the samples keep the per-run
   * differences). */
  derived?: boolean;
}

export const figures: Figure[] = [];
export const notes: string[] = [];
// More raw data for the JSON file.
export const raw: Record<string, unknown> = {};

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function record(section: string, name: string, unit: string, samples: number[], target?: Target): Figure {
  // A leading "> " marks a part of the figure above.
  const part = name.startsWith("> ");
  const f: Figure = {
    section,
    name: part ? name.slice(2) : name,
    part,
    unit,
    samples,
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    target,
  };
  figures.push(f);
  return f;
}

export const below = (limit: number, unit: string): Target => ({ text: `< ${limit} ${unit}`, met: (m) => m < limit });
export const atMost = (limit: number, unit: string): Target => ({ text: `<= ${limit} ${unit}`, met: (m) => m <= limit });
export const kib = (bytes: number) => bytes / 1024;
export const mib = (bytes: number) => bytes / (1024 * 1024);

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return "-";
  return Math.abs(n) >= 100 || Number.isInteger(n) ? n.toFixed(0) : n.toFixed(1);
}

export function printTable(bin: string, chromium: string): void {
  const cols = [44, 9, 9, 9, 6, 16, 4];
  const row = (cells: string[]) =>
    cells.map((c, i) => (i === 0 || i >= 4 ? c.padEnd(cols[i]) : c.padStart(cols[i]))).join("  ").trimEnd();
  const lines: string[] = [];
  lines.push("");
  lines.push(`agno-chat browser benchmark: medians of ${RUNS} run(s)`);
  lines.push(`app ${rel(bin)}, Chromium ${chromium}, viewport 1280x800`);
  lines.push("");
  lines.push(row(["figure", "median", "min", "max", "unit", "target", "met"]));
  lines.push("-".repeat(cols.reduce((a, b) => a + b + 2, -2)));
  let section = "";
  for (const f of figures) {
    if (f.section !== section) {
      section = f.section;
      lines.push(section);
    }
    const met = f.target ? (f.target.met(f.median) ? "yes" : "NO") : "";
    lines.push(
      row([
        `${f.part ? "    " : "  "}${f.name}`,
        fmt(f.median),
        f.derived ? "-" : fmt(f.min),
        f.derived ? "-" : fmt(f.max),
        f.unit,
        f.target?.text ?? "",
        met,
      ]),
    );
  }
  if (notes.length) {
    lines.push("");
    for (const n of notes) lines.push(`note: ${n}`);
  }
  lines.push("");
  console.log(lines.join("\n"));
}

export function writeJson(bin: string, site: string, chromium: string): string {
  const out = path.join(ROOT, "target", "bench", "browser.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const json = {
    runs: RUNS,
    date: new Date().toISOString(),
    app: rel(bin),
    site_root: rel(site),
    chromium,
    figures: figures.map((f, i) => ({
      section: f.section,
      name: f.part ? `${figures.slice(0, i).reverse().find((g) => !g.part)?.name} / ${f.name}` : f.name,
      unit: f.unit,
      median: f.median,
      min: f.derived ? null : f.min,
      max: f.derived ? null : f.max,
      samples: f.samples,
      target: f.target?.text ?? null,
      met: f.target ? f.target.met(f.median) : null,
    })),
    notes,
    ...raw,
  };
  fs.writeFileSync(out, JSON.stringify(json, null, 2) + "\n");
  return out;
}
